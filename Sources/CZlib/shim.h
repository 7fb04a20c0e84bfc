#ifndef ENERGIZE_CZLIB_SHIM_H
#define ENERGIZE_CZLIB_SHIM_H
#include <zlib.h>
#endif
