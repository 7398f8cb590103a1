/*
 * mp.h -- a minimal msgpack builder and reader for Polygram's C example and
 * tests (C89, header only). Real programs may prefer a full msgpack library
 * (mpack, msgpack-c); this one is just enough to talk to polygram.h.
 *
 * Building: mp_build(&buf, FORMAT, args...) appends one value described by
 * FORMAT:
 *   {key:V key:V}  a map (keys are bare words)    [V V]  an array
 *   s  const char * (str)                         i  int
 *   I  int64_t                                    b  int as bool
 *   n  nil                                        R  const unsigned char *,
 *                                                    size_t: raw msgpack
 * e.g. mp_build(&b, "{method:s args:{peer:s text:s}}", "send_message",
 *               "@bob", "hi").
 *
 * Reading: mp_get(data, len, "message.message", &v) finds a value by a path
 * of map keys and array indices ("users.0.id"); mp_int, mp_bool, mp_str and
 * mp_len read it.
 */
#ifndef POLYGRAM_EXAMPLE_MP_H
#define POLYGRAM_EXAMPLE_MP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define MP_API static __attribute__((unused))
#else
#define MP_API static
#endif

typedef struct mp_buf {
    unsigned char *data;
    size_t len, cap;
} mp_buf;

typedef struct mp_val {
    const unsigned char *p; /* the value's first byte */
    size_t n;               /* bytes from p to the end of the input */
} mp_val;

MP_API void mp_put(mp_buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n) cap *= 2;
        b->data = (unsigned char *)realloc(b->data, cap);
        if (b->data == NULL) abort();
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

MP_API void mp_byte(mp_buf *b, unsigned c) {
    unsigned char x = (unsigned char)c;
    mp_put(b, &x, 1);
}

MP_API void mp_be(mp_buf *b, uint64_t v, int size) {
    int i;
    for (i = size - 1; i >= 0; i--) mp_byte(b, (unsigned)((v >> (8 * i)) & 0xff));
}

MP_API void mp_str_n(mp_buf *b, const char *s, size_t n) {
    if (n < 32) {
        mp_byte(b, 0xa0 | (unsigned)n);
    } else if (n < 256) {
        mp_byte(b, 0xd9);
        mp_be(b, n, 1);
    } else if (n < 65536) {
        mp_byte(b, 0xda);
        mp_be(b, n, 2);
    } else {
        mp_byte(b, 0xdb);
        mp_be(b, n, 4);
    }
    mp_put(b, s, n);
}

MP_API void mp_int64(mp_buf *b, int64_t v) {
    if (v >= 0 && v < 128) {
        mp_byte(b, (unsigned)v);
    } else if (v < 0 && v >= -32) {
        mp_byte(b, (unsigned)(v & 0xff));
    } else {
        mp_byte(b, 0xd3);
        mp_be(b, (uint64_t)v, 8);
    }
}

MP_API void mp_header(mp_buf *b, unsigned fix, unsigned c16, size_t n) {
    if (n < 16) {
        mp_byte(b, fix | (unsigned)n);
    } else {
        mp_byte(b, c16);
        mp_be(b, n, 2);
    }
}

/* mp_count returns the number of entries (map: pairs, counted by their
 * colons) at the top level of the container whose body starts at f. */
MP_API size_t mp_count(const char *f, int is_map) {
    size_t n = 0;
    int depth = 0;
    char prev = ' ';
    for (; *f; prev = *f, f++) {
        if (*f == '{' || *f == '[') {
            if (depth == 0 && !is_map) n++;
            depth++;
        } else if (*f == '}' || *f == ']') {
            if (depth == 0) break;
            depth--;
        } else if (depth == 0 && is_map && *f == ':') {
            n++;
        } else if (depth == 0 && !is_map && strchr("siIbnR", *f) && (prev == ' ' || prev == ',' || prev == '[')) {
            n++;
        }
    }
    return n;
}

MP_API const char *mp_build_value(mp_buf *b, const char *f, va_list *ap);

MP_API const char *mp_build_body(mp_buf *b, const char *f, va_list *ap, int is_map) {
    while (*f) {
        while (*f == ' ' || *f == ',') f++;
        if (*f == '}' || *f == ']') return f + 1;
        if (is_map) {
            const char *colon = strchr(f, ':');
            if (colon == NULL) abort();
            mp_str_n(b, f, (size_t)(colon - f));
            f = colon + 1;
        }
        f = mp_build_value(b, f, ap);
    }
    return f;
}

MP_API const char *mp_build_value(mp_buf *b, const char *f, va_list *ap) {
    switch (*f) {
    case '{':
        mp_header(b, 0x80, 0xde, mp_count(f + 1, 1));
        return mp_build_body(b, f + 1, ap, 1);
    case '[':
        mp_header(b, 0x90, 0xdc, mp_count(f + 1, 0));
        return mp_build_body(b, f + 1, ap, 0);
    case 's': {
        const char *s = va_arg(*ap, const char *);
        mp_str_n(b, s, strlen(s));
        break;
    }
    case 'i':
        mp_int64(b, (int64_t)va_arg(*ap, int));
        break;
    case 'I':
        mp_int64(b, va_arg(*ap, int64_t));
        break;
    case 'b':
        mp_byte(b, va_arg(*ap, int) ? 0xc3 : 0xc2);
        break;
    case 'n':
        mp_byte(b, 0xc0);
        break;
    case 'R': {
        const unsigned char *p = va_arg(*ap, const unsigned char *);
        size_t n = va_arg(*ap, size_t);
        mp_put(b, p, n);
        break;
    }
    default:
        abort();
    }
    return f + 1;
}

/* mp_build appends the value FORMAT describes (see the top of this file). */
MP_API void mp_build(mp_buf *b, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    mp_build_value(b, format, &ap);
    va_end(ap);
}

MP_API void mp_reset(mp_buf *b) { b->len = 0; }

MP_API void mp_free(mp_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* Reading. */

MP_API uint64_t mp_rd(const unsigned char *p, int size) {
    uint64_t v = 0;
    int i;
    for (i = 0; i < size; i++) v = (v << 8) | p[i];
    return v;
}

/* mp_skip returns the size of the value at v (0 if malformed). */
MP_API size_t mp_skip(mp_val v) {
    const unsigned char *p = v.p;
    size_t i, n, off, count, hdr;
    unsigned c;
    if (v.n == 0) return 0;
    c = p[0];
    if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) return 1;
    if ((c & 0xe0) == 0xa0) return 1 + (c & 0x1f) <= v.n ? 1 + (c & 0x1f) : 0;
    switch (c) {
    case 0xcc: case 0xd0: return 2;
    case 0xcd: case 0xd1: return 3;
    case 0xca: case 0xce: case 0xd2: return 5;
    case 0xcb: case 0xcf: case 0xd3: return 9;
    case 0xc4: case 0xd9: hdr = 2; n = v.n >= 2 ? (size_t)mp_rd(p + 1, 1) : (size_t)-1; break;
    case 0xc5: case 0xda: hdr = 3; n = v.n >= 3 ? (size_t)mp_rd(p + 1, 2) : (size_t)-1; break;
    case 0xc6: case 0xdb: hdr = 5; n = v.n >= 5 ? (size_t)mp_rd(p + 1, 4) : (size_t)-1; break;
    default: hdr = 0; n = 0;
    }
    if (hdr) return n <= v.n - hdr ? hdr + n : 0;
    if ((c & 0xf0) == 0x80 || (c & 0xf0) == 0x90) {
        count = (size_t)(c & 0x0f) * ((c & 0xf0) == 0x80 ? 2 : 1);
        off = 1;
    } else if (c == 0xdc || c == 0xde) {
        if (v.n < 3) return 0;
        count = (size_t)mp_rd(p + 1, 2) * (c == 0xde ? 2 : 1);
        off = 3;
    } else if (c == 0xdd || c == 0xdf) {
        if (v.n < 5) return 0;
        count = (size_t)mp_rd(p + 1, 4) * (c == 0xdf ? 2 : 1);
        off = 5;
    } else {
        return 0;
    }
    for (i = 0; i < count; i++) {
        mp_val e;
        size_t s;
        e.p = p + off;
        e.n = v.n - off;
        s = mp_skip(e);
        if (s == 0) return 0;
        off += s;
    }
    return off;
}

/* mp_len returns the element count of a map or array (-1 otherwise). */
MP_API long mp_len(mp_val v) {
    unsigned c;
    if (v.n == 0) return -1;
    c = v.p[0];
    if ((c & 0xf0) == 0x80 || (c & 0xf0) == 0x90) return (long)(c & 0x0f);
    if ((c == 0xdc || c == 0xde) && v.n >= 3) return (long)mp_rd(v.p + 1, 2);
    if ((c == 0xdd || c == 0xdf) && v.n >= 5) return (long)mp_rd(v.p + 1, 4);
    return -1;
}

MP_API int mp_is_map(mp_val v) {
    unsigned c = v.n ? v.p[0] : 0;
    return (c & 0xf0) == 0x80 || c == 0xde || c == 0xdf;
}

/* mp_str points *s at a str (or bin) value's bytes; returns its length or -1. */
MP_API long mp_str(mp_val v, const char **s) {
    unsigned c;
    size_t hdr, n;
    if (v.n == 0) return -1;
    c = v.p[0];
    if ((c & 0xe0) == 0xa0) {
        hdr = 1;
        n = c & 0x1f;
    } else if (c == 0xd9 || c == 0xc4) {
        hdr = 2;
        n = v.n >= 2 ? (size_t)mp_rd(v.p + 1, 1) : 0;
    } else if (c == 0xda || c == 0xc5) {
        hdr = 3;
        n = v.n >= 3 ? (size_t)mp_rd(v.p + 1, 2) : 0;
    } else if (c == 0xdb || c == 0xc6) {
        hdr = 5;
        n = v.n >= 5 ? (size_t)mp_rd(v.p + 1, 4) : 0;
    } else {
        return -1;
    }
    if (hdr + n > v.n) return -1;
    *s = (const char *)v.p + hdr;
    return (long)n;
}

/* mp_str_eq compares a str value with a C string. */
MP_API int mp_str_eq(mp_val v, const char *want) {
    const char *s;
    long n = mp_str(v, &s);
    return n >= 0 && (size_t)n == strlen(want) && memcmp(s, want, (size_t)n) == 0;
}

/* mp_int reads an integer; returns 1 on success. */
MP_API int mp_int(mp_val v, int64_t *out) {
    unsigned c;
    if (v.n == 0) return 0;
    c = v.p[0];
    if (c <= 0x7f) { *out = (int64_t)c; return 1; }
    if (c >= 0xe0) { *out = (int64_t)c - 256; return 1; }
    switch (c) {
    case 0xcc: case 0xcd: case 0xce: case 0xcf: {
        int size = 1 << (c - 0xcc);
        if (v.n < (size_t)size + 1) return 0;
        *out = (int64_t)mp_rd(v.p + 1, size);
        return 1;
    }
    case 0xd0: if (v.n < 2) return 0; *out = (int64_t)(signed char)v.p[1]; return 1;
    case 0xd1: if (v.n < 3) return 0; *out = (int64_t)(short)mp_rd(v.p + 1, 2); return 1;
    case 0xd2: if (v.n < 5) return 0; *out = (int64_t)(int32_t)mp_rd(v.p + 1, 4); return 1;
    case 0xd3: if (v.n < 9) return 0; *out = (int64_t)mp_rd(v.p + 1, 8); return 1;
    }
    return 0;
}

/* mp_bool reads a bool; returns 1 on success. */
MP_API int mp_bool(mp_val v, int *out) {
    if (v.n == 0 || (v.p[0] != 0xc2 && v.p[0] != 0xc3)) return 0;
    *out = v.p[0] == 0xc3;
    return 1;
}

/* mp_child finds a map key or (for arrays) an index given as text. */
MP_API int mp_child(mp_val v, const char *key, size_t keylen, mp_val *out) {
    long n = mp_len(v), i;
    size_t off;
    int is_map = mp_is_map(v);
    unsigned c;
    if (n < 0) return 0;
    c = v.p[0];
    off = (c == 0xdc || c == 0xde) ? 3 : (c == 0xdd || c == 0xdf) ? 5 : 1;
    for (i = 0; i < n; i++) {
        mp_val k, e;
        size_t s;
        k.p = v.p + off;
        k.n = v.n - off;
        if (is_map) {
            const char *ks;
            long kn = mp_str(k, &ks);
            s = mp_skip(k);
            if (s == 0) return 0;
            off += s;
            e.p = v.p + off;
            e.n = v.n - off;
            if (kn >= 0 && (size_t)kn == keylen && memcmp(ks, key, keylen) == 0) {
                *out = e;
                return 1;
            }
        } else {
            e = k;
            if ((long)strtol(key, NULL, 10) == i) {
                *out = e;
                return 1;
            }
        }
        s = mp_skip(e);
        if (s == 0) return 0;
        off += s;
    }
    return 0;
}

/* mp_get follows a dotted path from the value in data. */
MP_API int mp_get(const unsigned char *data, size_t len, const char *path, mp_val *out) {
    mp_val v;
    v.p = data;
    v.n = len;
    while (*path) {
        const char *dot = strchr(path, '.');
        size_t kl = dot ? (size_t)(dot - path) : strlen(path);
        if (!mp_child(v, path, kl, &v)) return 0;
        path += kl + (dot ? 1 : 0);
    }
    *out = v;
    return 1;
}

/* Shortcuts: read by path, with a default. */
MP_API int64_t mp_get_int(const unsigned char *data, size_t len, const char *path, int64_t def) {
    mp_val v;
    int64_t x;
    return mp_get(data, len, path, &v) && mp_int(v, &x) ? x : def;
}

/* mp_get_str copies a str into buf (NUL-terminated, truncated to size). */
MP_API const char *mp_get_str(const unsigned char *data, size_t len, const char *path, char *buf, size_t size) {
    mp_val v;
    const char *s;
    long n;
    buf[0] = 0;
    if (!mp_get(data, len, path, &v) || (n = mp_str(v, &s)) < 0) return buf;
    if ((size_t)n >= size) n = (long)size - 1;
    memcpy(buf, s, (size_t)n);
    buf[n] = 0;
    return buf;
}

#endif /* POLYGRAM_EXAMPLE_MP_H */
