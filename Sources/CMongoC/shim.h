#ifndef ENERGIZE_CMONGOC_SHIM_H
#define ENERGIZE_CMONGOC_SHIM_H
#include <bson/bson.h>
#include <mongoc/mongoc.h>

/* bson_t and bson_iter_t are 128-byte aligned in C, so Swift cannot place them
   on its stack; these helpers allocate them with the right alignment. */
static inline bson_iter_t *energize_iter_new(void) {
    return (bson_iter_t *) bson_aligned_alloc0(BSON_ALIGNOF(bson_iter_t), sizeof(bson_iter_t));
}
static inline uint32_t energize_bson_len(const bson_t *b) { return b->len; }
static inline void energize_iter_free(bson_iter_t *iter) { bson_free(iter); }

/* The BSON_APPEND_* macros are not imported by Swift: wrap the ones we use. */
static inline bool energize_append_utf8(bson_t *b, const char *key, int key_len, const char *v, int v_len) {
    return bson_append_utf8(b, key, key_len, v, v_len);
}
static inline bool energize_append_begin_document(bson_t *b, const char *key, int key_len, bson_t *child) {
    return bson_append_document_begin(b, key, key_len, child);
}
static inline bool energize_append_begin_array(bson_t *b, const char *key, int key_len, bson_t *child) {
    return bson_append_array_begin(b, key, key_len, child);
}
/* A child document for the *_begin calls above, heap-allocated with bson_t's alignment. */
static inline bson_t *energize_bson_child_new(void) {
    return (bson_t *) bson_aligned_alloc0(BSON_ALIGNOF(bson_t), sizeof(bson_t));
}
static inline void energize_bson_child_free(bson_t *b) { bson_free(b); }

static inline const char *energize_error_message(const bson_error_t *error) { return error->message; }
static inline uint32_t energize_error_domain(const bson_error_t *error) { return error->domain; }
static inline uint32_t energize_error_code(const bson_error_t *error) { return error->code; }
static inline bson_error_t *energize_error_new(void) {
    return (bson_error_t *) bson_malloc0(sizeof(bson_error_t));
}
#endif
