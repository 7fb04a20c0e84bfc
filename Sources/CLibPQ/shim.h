#ifndef ENERGIZE_CLIBPQ_SHIM_H
#define ENERGIZE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
