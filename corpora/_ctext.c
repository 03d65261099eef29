/* corpora._ctext: the compiled twin of the wikitext cleaner and the sentence tokenizer.
 *
 * Same output as the pure-Python code (corpora/wikitext_cleaner.py, corpora/tokenizer.py),
 * which stays the reference: every rule below is a port of one regex pass there, run on the
 * UTF-8 bytes of the text (all the markup delimiters are ASCII, so they are found with memchr
 * and memmem; a non-ASCII character is decoded only where its class matters). Where a page
 * holds something this port does not handle exactly (template parameters {{{...}}}, a
 * character that Python's case-insensitive regex equates with an ASCII letter inside a tag
 * name, lone surrogates, ...), the function returns None and the caller uses the Python code
 * for that page. Lines with characters beyond the BMP are tokenized by a Python callback.
 *
 * Built by setup.py as an optional extension; corpora/_speedups.py selects it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CTEXT_ABI 1

/* ------------------------------------------------------------------ configuration */

static uint8_t word_bmp[0x10000 / 8];  /* L/M/N code points of the BMP (tokenizer.py) */
static uint8_t terminal_bmp[0x10000 / 8];
static PyObject *interwiki = NULL;     /* frozenset of str */
static PyObject *normalize_ns = NULL;  /* callable: namespace name -> normalized str */
static PyObject *html5 = NULL;         /* html.entities.html5 */
static PyObject *invalid_charrefs = NULL;
static PyObject *invalid_codepoints = NULL;
static PyObject *astral_line_tokens = NULL; /* callable: line -> tokens with "\n" marks */
static PyObject *str_lower = NULL, *str_upper = NULL, *newline_str = NULL;
static char **abbrevs = NULL;
static Py_ssize_t *abbrev_len = NULL;
static Py_ssize_t n_abbrevs = 0;
static int tokenizer_configured = 0, cleaner_configured = 0;

#define BIT_GET(bm, c) ((bm)[(c) >> 3] & (1u << ((c)&7)))
#define BIT_SET(bm, c) ((bm)[(c) >> 3] |= (uint8_t)(1u << ((c)&7)))

/* ------------------------------------------------------------------ buffers */

typedef struct {
    char *p;
    Py_ssize_t n, cap;
} Buf;

static int buf_reserve(Buf *b, Py_ssize_t extra) {
    if (b->n + extra <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra) cap *= 2;
    char *p = PyMem_Realloc(b->p, cap);
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

static inline int buf_put(Buf *b, const char *s, Py_ssize_t n) {
    if (n <= 0) return 0;
    if (buf_reserve(b, n)) return -1;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    return 0;
}

static inline int buf_putc(Buf *b, char c) {
    if (buf_reserve(b, 1)) return -1;
    b->p[b->n++] = c;
    return 0;
}

static int buf_put_cp(Buf *b, Py_UCS4 c) {
    char t[4];
    int k;
    if (c < 0x80) { t[0] = (char)c; k = 1; }
    else if (c < 0x800) { t[0] = (char)(0xC0 | (c >> 6)); t[1] = (char)(0x80 | (c & 0x3F)); k = 2; }
    else if (c < 0x10000) {
        t[0] = (char)(0xE0 | (c >> 12)); t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        t[2] = (char)(0x80 | (c & 0x3F)); k = 3;
    } else {
        t[0] = (char)(0xF0 | (c >> 18)); t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((c >> 6) & 0x3F)); t[3] = (char)(0x80 | (c & 0x3F)); k = 4;
    }
    return buf_put(b, t, k);
}

/* A str's UTF-8 bytes, appended (used for values looked up in Python dicts). */
static int buf_put_str(Buf *b, PyObject *s) {
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(s, &n);
    if (!u) return -1;
    return buf_put(b, u, n);
}

/* ------------------------------------------------------------------ UTF-8 helpers */

/* The code point starting at s[i] (valid UTF-8: it comes from PyUnicode_AsUTF8). */
static inline Py_UCS4 dec_at(const unsigned char *s, Py_ssize_t i, int *len) {
    unsigned char c = s[i];
    if (c < 0x80) { *len = 1; return c; }
    if (c < 0xE0) { *len = 2; return ((Py_UCS4)(c & 0x1F) << 6) | (s[i + 1] & 0x3F); }
    if (c < 0xF0) {
        *len = 3;
        return ((Py_UCS4)(c & 0x0F) << 12) | ((Py_UCS4)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    }
    *len = 4;
    return ((Py_UCS4)(c & 0x07) << 18) | ((Py_UCS4)(s[i + 1] & 0x3F) << 12) |
           ((Py_UCS4)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
}

/* Start of the code point that ends just before byte i (i > 0). */
static inline Py_ssize_t prev_start(const unsigned char *s, Py_ssize_t i) {
    Py_ssize_t j = i - 1;
    while (j > 0 && (s[j] & 0xC0) == 0x80) j--;
    return j;
}

static inline int is_space_cp(Py_UCS4 c) { return Py_UNICODE_ISSPACE(c); }
static inline int is_alnum_cp(Py_UCS4 c) { return Py_UNICODE_ISALNUM(c); }
/* re's \w */
static inline int is_word_re(Py_UCS4 c) { return c == '_' || Py_UNICODE_ISALNUM(c); }
/* re's [^\W\d_]: a letter (or a number that is not a decimal digit) */
static inline int is_letter_re(Py_UCS4 c) {
    return c != '_' && Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
}
/* Python's case-insensitive regex equates these with an ASCII letter (İ ı ſ K). */
static inline int is_casefold_special(Py_UCS4 c) {
    return c == 0x130 || c == 0x131 || c == 0x17F || c == 0x212A;
}

static inline int ascii_space(unsigned char c) {
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1C && c <= 0x1F);
}

/* Whitespace (str.isspace) at byte i; its byte length into *len (0 when not a space). */
static inline int space_at(const unsigned char *s, Py_ssize_t n, Py_ssize_t i, int *len) {
    if (i >= n) { *len = 0; return 0; }
    if (s[i] < 0x80) { *len = ascii_space(s[i]) ? 1 : 0; return *len; }
    Py_UCS4 c = dec_at(s, i, len);
    if (!is_space_cp(c)) { *len = 0; return 0; }
    return 1;
}

/* ------------------------------------------------------------------ cleaner passes
 * Each pass reads (s, n) and writes to out; returns 0, -1 on a Python error, 1 to give up
 * (the caller falls back to the Python cleaner for the page). */

typedef const unsigned char cu8;

/* memmem for the short needles here: memchr (vectorized) for the first byte. */
static const char *memmem_(const char *h, Py_ssize_t hn, const char *nd, Py_ssize_t nn) {
    const char *end = h + hn - nn + 1;
    while (h < end) {
        const char *p = memchr(h, nd[0], end - h);
        if (!p) return NULL;
        if (memcmp(p + 1, nd + 1, nn - 1) == 0) return p;
        h = p + 1;
    }
    return NULL;
}

/* The end of a pass: the rest of the text, or UNCHANGED when nothing was replaced (the
 * caller keeps its buffer: no copy). */
#define UNCHANGED 2
static int finish(Buf *out, cu8 *s, Py_ssize_t pos, Py_ssize_t n) {
    if (pos == 0 && out->n == 0) return UNCHANGED;
    return buf_put(out, (const char *)s + pos, n - pos);
}

/* 1. <!-- comments --> (an unclosed one drops the rest) */
static int pass_comments(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0;
    while (pos < n) {
        const char *p = memmem_((const char *)s + pos, n - pos, "<!--", 4);
        if (!p) break;
        Py_ssize_t a = p - (const char *)s;
        if (buf_put(out, (const char *)s + pos, a - pos)) return -1;
        const char *q = memmem_((const char *)s + a + 4, n - a - 4, "-->", 3);
        pos = q ? (q - (const char *)s) + 3 : n;
    }
    return finish(out, s, pos, n);
}

/* 2. elements dropped with their content */
static const char *drop_tags[] = {"ref", "math", "chem", "ce", "gallery", "timeline",
                                  "syntaxhighlight", "source", "score", "graph", "mapframe",
                                  "imagemap", "templatedata", "references", "hiero", "inputbox",
                                  "categorytree", "maplink", "includeonly", NULL};

/* A run of \w characters from byte i: its end, whether it is all ASCII, whether it holds a
 * case-folding special. */
static Py_ssize_t word_run(cu8 *s, Py_ssize_t n, Py_ssize_t i, int *ascii, int *special) {
    *ascii = 1;
    *special = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            unsigned char c = s[i];
            if (!(c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z')))
                break;
            i++;
        } else {
            int l;
            Py_UCS4 c = dec_at(s, i, &l);
            if (!is_word_re(c)) break;
            *ascii = 0;
            if (is_casefold_special(c)) *special = 1;
            i += l;
        }
    }
    return i;
}

/* The opening tag of a dropped element at or after `from`: 1 found, 0 none, 2 give up. */
static int find_drop_open(cu8 *s, Py_ssize_t n, Py_ssize_t from, Py_ssize_t *ms, Py_ssize_t *me,
                          int *name, int *selfclose) {
    Py_ssize_t i = from;
    while (i < n) {
        const char *p = memchr((const char *)s + i, '<', n - i);
        if (!p) return 0;
        i = p - (const char *)s;
        int ascii, special;
        Py_ssize_t e = word_run(s, n, i + 1, &ascii, &special);
        if (special) return 2;
        Py_ssize_t len = e - (i + 1);
        int found = -1;
        if (ascii && len > 0 && len <= 16) {
            char low[17];
            for (Py_ssize_t k = 0; k < len; k++) low[k] = (char)(s[i + 1 + k] | 32);
            low[len] = 0;
            /* '_' | 32 is '_' and digits stay digits: no name has either */
            for (int t = 0; drop_tags[t]; t++)
                if ((Py_ssize_t)strlen(drop_tags[t]) == len && memcmp(drop_tags[t], low, len) == 0) {
                    found = t;
                    break;
                }
        }
        if (found >= 0) {
            Py_ssize_t j = e;
            while (j < n) {
                unsigned char c = s[j];
                if (c == '<') break;
                if (c == '>') {
                    *ms = i; *me = j + 1; *name = found; *selfclose = 0;
                    return 1;
                }
                if (c == '/' && j + 1 < n && s[j + 1] == '>') {
                    *ms = i; *me = j + 2; *name = found; *selfclose = 1;
                    return 1;
                }
                j++;
            }
        }
        i++;
    }
    return 0;
}

/* </name\s*> (case-insensitive) from pos: 1 found (*end after it), 0 none, 2 give up. */
static int find_close(cu8 *s, Py_ssize_t n, Py_ssize_t pos, const char *name, Py_ssize_t *end) {
    Py_ssize_t len = (Py_ssize_t)strlen(name);
    Py_ssize_t i = pos;
    while (i < n) {
        const char *p = memmem_((const char *)s + i, n - i, "</", 2);
        if (!p) return 0;
        i = p - (const char *)s;
        Py_ssize_t j = i + 2, k = 0;
        int ok = 1;
        while (k < len) {
            if (j >= n) { ok = 0; break; }
            if (s[j] >= 0x80) {
                int l;
                Py_UCS4 c = dec_at(s, j, &l);
                if (is_casefold_special(c)) return 2;
                ok = 0;
                break;
            }
            if ((s[j] | 32) != (unsigned char)name[k] || !(((s[j] | 32) >= 'a') && ((s[j] | 32) <= 'z'))) {
                ok = 0;
                break;
            }
            j++;
            k++;
        }
        if (ok) {
            int l;
            while (space_at(s, n, j, &l)) j += l;
            if (j < n && s[j] == '>') {
                *end = j + 1;
                return 1;
            }
        }
        i += 2;
    }
    return 0;
}

static int pass_drop_elements(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t ms, me, pos = 0;
    int name, selfclose;
    unsigned unclosed = 0;
    int r = find_drop_open(s, n, 0, &ms, &me, &name, &selfclose);
    while (r == 1) {
        if (buf_put(out, (const char *)s + pos, ms - pos)) return -1;
        pos = me;
        if (!selfclose && !(unclosed & (1u << name))) {
            Py_ssize_t end;
            int c = find_close(s, n, pos, drop_tags[name], &end);
            if (c == 2) return 1;
            if (c == 0) unclosed |= 1u << name;
            else pos = end;
        }
        r = find_drop_open(s, n, pos, &ms, &me, &name, &selfclose);
    }
    if (r == 2) return 1;
    return finish(out, s, pos, n);
}

/* 3. templates and tables */
typedef struct { Py_ssize_t a, b; } Span;
typedef struct { int kind; Py_ssize_t a, b; } Open;

static int span_cmp(const void *x, const void *y) {
    const Span *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    if (p->b != q->b) return p->b < q->b ? -1 : 1;
    return 0;
}

static int pass_braces(cu8 *s, Py_ssize_t n, Buf *out) {
    if (!memchr(s, '{', n) && !memchr(s, '}', n)) return UNCHANGED;
    if (memmem_((const char *)s, n, "{{{", 3)) return 1; /* template parameters: Python */
    Span *drops = NULL;
    Open *stack = NULL;
    Py_ssize_t nd = 0, capd = 0, ns = 0, caps = 0;
    Py_ssize_t count[2] = {0, 0};
    int rc = 0;
#define PUSH_DROP(x, y)                                                        \
    do {                                                                       \
        if (nd == capd) {                                                      \
            capd = capd ? capd * 2 : 64;                                       \
            Span *t_ = PyMem_Realloc(drops, capd * sizeof(Span));              \
            if (!t_) { PyErr_NoMemory(); rc = -1; goto done; }                 \
            drops = t_;                                                        \
        }                                                                      \
        drops[nd].a = (x); drops[nd].b = (y); nd++;                            \
    } while (0)
    Py_ssize_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        int open = -1, kind = 0;
        Py_ssize_t a = i, b = i;
        if (c == '{' && i + 1 < n && s[i + 1] == '{') { open = 1; kind = 1; b = i + 2; }
        else if (c == '}' && i + 1 < n && s[i + 1] == '}') { open = 0; kind = 1; b = i + 2; }
        else if (c == '\n') {
            Py_ssize_t j = i + 1;
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == ':')) j++;
            if (j + 1 < n && s[j] == '{' && s[j + 1] == '|') { open = 1; kind = 0; b = j + 2; }
            else {
                j = i + 1;
                while (j < n && (s[j] == ' ' || s[j] == '\t')) j++;
                if (j + 1 < n && s[j] == '|' && s[j + 1] == '}' && !(j + 2 < n && s[j + 2] == '}')) {
                    open = 0; kind = 0; b = j + 2;
                }
            }
        }
        if (open < 0) { i++; continue; }
        i = b;
        if (open) {
            if (ns == caps) {
                caps = caps ? caps * 2 : 64;
                Open *t = PyMem_Realloc(stack, caps * sizeof(Open));
                if (!t) { PyErr_NoMemory(); rc = -1; goto done; }
                stack = t;
            }
            stack[ns].kind = kind; stack[ns].a = a; stack[ns].b = b; ns++;
            count[kind]++;
            continue;
        }
        if (!count[kind]) { PUSH_DROP(a, b); continue; }
        Py_ssize_t start;
        for (;;) {
            Open o = stack[--ns];
            count[o.kind]--;
            if (o.kind == kind) { start = o.a; break; }
        }
        PUSH_DROP(start, b);
    }
    for (Py_ssize_t k = 0; k < ns; k++) PUSH_DROP(stack[k].a, stack[k].b);
    if (!nd) { rc = UNCHANGED; goto done; }
    qsort(drops, nd, sizeof(Span), span_cmp);
    {
        Py_ssize_t pos = 0;
        for (Py_ssize_t k = 0; k < nd; k++) {
            if (drops[k].a > pos && buf_put(out, (const char *)s + pos, drops[k].a - pos)) { rc = -1; goto done; }
            if (drops[k].b > pos) pos = drops[k].b;
        }
        rc = buf_put(out, (const char *)s + pos, n - pos);
    }
done:
    PyMem_Free(drops);
    PyMem_Free(stack);
    return rc;
#undef PUSH_DROP
}

/* 4a. [[target|anchor]] / [[target]] without ":" (the fast path of the Python cleaner) */
static inline int link_plain(unsigned char c) { return c != '[' && c != ']' && c != '|' && c != ':'; }

static int pass_simple_links(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0, i = 0;
    while (i < n) {
        const char *p = memmem_((const char *)s + i, n - i, "[[", 2);
        if (!p) break;
        i = p - (const char *)s;
        Py_ssize_t j = i + 2;
        while (j < n && link_plain(s[j])) j++;
        Py_ssize_t ga = -1, gb = -1, end = -1;
        if (j < n && s[j] == '|') {
            Py_ssize_t k = j + 1;
            while (k < n && link_plain(s[k])) k++;
            if (k > j + 1 && k + 1 < n && s[k] == ']' && s[k + 1] == ']') { ga = j + 1; gb = k; end = k + 2; }
        } else if (j > i + 2 && j + 1 < n && s[j] == ']' && s[j + 1] == ']') {
            ga = i + 2; gb = j; end = j + 2;
        }
        if (end < 0) { i++; continue; }
        if (buf_put(out, (const char *)s + pos, i - pos) || buf_put(out, (const char *)s + ga, gb - ga))
            return -1;
        pos = i = end;
    }
    return finish(out, s, pos, n);
}

/* 4b. the general link rule */
static const char *media_exts[] = {"jpg", "jpeg", "png", "gif", "svg", "tif", "tiff", "webp", "bmp",
                                   "xcf", "pdf", "djvu", "ogg", "ogv", "oga", "opus", "webm", "mp3",
                                   "mp4", "wav", "flac", "mid", "midi", "stl", NULL};

/* _MEDIA_FILE_RE.search(rest): "." + extension + whitespace to the end. 2: give up. */
static int is_media_file(cu8 *s, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t e = b;
    while (e > a) {
        Py_ssize_t st = prev_start(s, e);
        if (st < a) st = a;
        int l;
        Py_UCS4 c = dec_at(s, st, &l);
        if (!is_space_cp(c)) break;
        e = st;
    }
    /* the extension: up to 4 characters before e, after a "." */
    Py_ssize_t k = e;
    int nchar = 0;
    char ext[8];
    while (k > a && nchar < 5) {
        Py_ssize_t st = prev_start(s, k);
        if (st < a) st = a;
        int l;
        Py_UCS4 c = dec_at(s, st, &l);
        if (c == '.') {
            for (int t = 0; media_exts[t]; t++)
                if ((int)strlen(media_exts[t]) == nchar && memcmp(media_exts[t], ext + (8 - nchar), nchar) == 0)
                    return 1;
            return 0;
        }
        if (is_casefold_special(c)) return 2;
        if (c >= 0x80) return 0;
        ext[8 - ++nchar] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        k = st;
    }
    return 0;
}

/* The normalized namespace prefix (" ".join(p.replace("_", " ").split()).lower()) as str. */
static PyObject *normalized_prefix(cu8 *s, Py_ssize_t a, Py_ssize_t b) {
    int ascii = 1;
    for (Py_ssize_t i = a; i < b; i++)
        if (s[i] >= 0x80) { ascii = 0; break; }
    if (!ascii) {
        PyObject *raw = PyUnicode_DecodeUTF8((const char *)s + a, b - a, "strict");
        if (!raw) return NULL;
        PyObject *r = PyObject_CallOneArg(normalize_ns, raw);
        Py_DECREF(raw);
        return r;
    }
    char small[128];
    char *t = (b - a) <= (Py_ssize_t)sizeof(small) ? small : PyMem_Malloc(b - a);
    if (!t) return PyErr_NoMemory();
    Py_ssize_t m = 0;
    int pending = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        unsigned char c = s[i];
        if (c == '_' || ascii_space(c)) {
            if (m) pending = 1;
            continue;
        }
        if (pending) { t[m++] = ' '; pending = 0; }
        t[m++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    PyObject *r = PyUnicode_FromStringAndSize(t, m);
    if (t != small) PyMem_Free(t);
    return r;
}

static int lang_fullmatch(PyObject *prefix) {
    Py_ssize_t n;
    const char *p = PyUnicode_AsUTF8AndSize(prefix, &n);
    if (!p) { PyErr_Clear(); return 0; }
    if (n == 6 && memcmp(p, "simple", 6) == 0) return 1;
    Py_ssize_t i = 0, k = 0;
    while (i < n && p[i] >= 'a' && p[i] <= 'z') i++;
    if (i < 2 || i > 3) return 0;
    for (int g = 0; g < 2 && i < n; g++) {
        if (p[i] != '-') return 0;
        Py_ssize_t j = i + 1;
        k = j;
        while (k < n && p[k] >= 'a' && p[k] <= 'z') k++;
        if (k - j < 2 || k - j > 8) return 0;
        i = k;
    }
    return i == n;
}

/* whitespace-stripped bounds */
static void strip_bounds(cu8 *s, Py_ssize_t *a, Py_ssize_t *b, int left, int right) {
    int l;
    if (left)
        while (*a < *b && space_at(s, *b, *a, &l)) *a += l;
    if (right)
        while (*b > *a) {
            Py_ssize_t st = prev_start(s, *b);
            if (st < *a) break;
            Py_UCS4 c = dec_at(s, st, &l);
            if (!is_space_cp(c)) break;
            *b = st;
        }
}

/* _link() of the Python cleaner; appends the replacement. */
static int emit_link(cu8 *s, Py_ssize_t a, Py_ssize_t b, Py_ssize_t sa, Py_ssize_t sb,
                     PyObject *names, Buf *out) {
    Py_ssize_t bar = -1;
    for (Py_ssize_t i = a; i < b; i++)
        if (s[i] == '|') { bar = i; break; }
    Py_ssize_t ta = a, tb = bar >= 0 ? bar : b;
    Py_ssize_t colon = -1;
    for (Py_ssize_t i = ta; i < tb; i++)
        if (s[i] == ':') { colon = i; break; }
    if (colon >= 0) {
        Py_ssize_t st = ta, e = tb;
        strip_bounds(s, &st, &e, 1, 0);
        if (st < tb && s[st] == ':') {
            ta = st + 1;
        } else {
            PyObject *prefix = normalized_prefix(s, ta, colon);
            if (!prefix) return -1;
            int iw = PySet_Contains(interwiki, prefix);
            if (iw < 0) { Py_DECREF(prefix); return -1; }
            if (iw) {
                ta = colon + 1;
            } else {
                PyObject *v = PyDict_GetItemWithError(names, prefix);
                if (!v && PyErr_Occurred()) { Py_DECREF(prefix); return -1; }
                int truth = v ? PyObject_IsTrue(v) : 0;
                if (truth < 0) { Py_DECREF(prefix); return -1; }
                int lang = truth ? 0 : lang_fullmatch(prefix);
                Py_DECREF(prefix);
                if (truth || lang) return 0;
                int media = is_media_file(s, colon + 1, tb);
                if (media == 2) return 1;
                if (media) return 0;
            }
        }
    }
    if (bar >= 0) {
        Py_ssize_t aa = bar + 1, ab = b;
        strip_bounds(s, &aa, &ab, 1, 1);
        if (aa >= ab) { /* pipe trick */
            Py_ssize_t par = -1;
            for (Py_ssize_t i = ta; i < tb; i++)
                if (s[i] == '(') { par = i; break; }
            if (par >= 0 && tb > ta && s[tb - 1] == ')' && !memchr(s + par, '\n', tb - par)) {
                Py_ssize_t x = ta, y = par;
                strip_bounds(s, &x, &y, 0, 1);
                tb = y;
            }
            if (buf_put(out, (const char *)s + ta, tb - ta)) return -1;
        } else if (buf_put(out, (const char *)s + bar + 1, b - bar - 1)) return -1;
        return buf_put(out, (const char *)s + sa, sb - sa);
    }
    if (buf_put(out, (const char *)s + ta, tb - ta)) return -1;
    return buf_put(out, (const char *)s + sa, sb - sa);
}

/* One _LINK_RE.sub pass; *changed tells whether a link was replaced. */
static int pass_links(cu8 *s, Py_ssize_t n, PyObject *names, Buf *out, int *changed) {
    Py_ssize_t pos = 0, i = 0;
    *changed = 0;
    while (i < n) {
        const char *p = memmem_((const char *)s + i, n - i, "[[", 2);
        if (!p) break;
        i = p - (const char *)s;
        Py_ssize_t j = i + 2;
        while (j < n && s[j] != '[' && s[j] != ']') j++;
        if (!(j + 1 < n && s[j] == ']' && s[j + 1] == ']')) { i++; continue; }
        Py_ssize_t sa = j + 2, sb = sa;
        while (sb < n) {
            int l;
            if (s[sb] < 0x80) {
                unsigned char c = s[sb];
                if (!(((c | 32) >= 'a' && (c | 32) <= 'z'))) break;
                sb++;
            } else {
                Py_UCS4 c = dec_at(s, sb, &l);
                if (!is_letter_re(c)) break;
                sb += l;
            }
        }
        if (buf_put(out, (const char *)s + pos, i - pos)) return -1;
        int r = emit_link(s, i + 2, j, sa, sb, names, out);
        if (r) return r;
        *changed = 1;
        pos = i = sb;
    }
    return finish(out, s, pos, n);
}

/* 5. external links and bare URLs */
static int pass_extlinks(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0, i = 0;
    while (i < n) {
        const char *p = memchr((const char *)s + i, '[', n - i);
        if (!p) break;
        i = p - (const char *)s;
        Py_ssize_t j = i + 1;
        if (n - j >= 6 && memcmp(s + j, "https:", 6) == 0) j += 6;
        else if (n - j >= 5 && memcmp(s + j, "http:", 5) == 0) j += 5;
        else if (n - j >= 4 && memcmp(s + j, "ftp:", 4) == 0) j += 4;
        if (!(j + 1 < n && s[j] == '/' && s[j + 1] == '/')) { i++; continue; }
        j += 2;
        int l;
        while (j < n && s[j] != '[' && s[j] != ']' && !space_at(s, n, j, &l)) j += (s[j] < 0x80 ? 1 : (dec_at(s, j, &l), l));
        Py_ssize_t la = -1, lb = -1, end = -1;
        if (j < n && s[j] == ']') end = j + 1;
        else if (j < n && space_at(s, n, j, &l)) {
            Py_ssize_t k = j;
            while (space_at(s, n, k, &l)) k += l;
            if (k < n && s[k] == ']') end = k + 1;
            else if (k < n && s[k] != '[') {
                Py_ssize_t e = k;
                while (e < n && s[e] != '[' && s[e] != ']') e++;
                if (e < n && s[e] == ']') { la = k; lb = e; end = e + 1; }
            }
        }
        if (end < 0) { i++; continue; }
        if (buf_put(out, (const char *)s + pos, i - pos)) return -1;
        if (la >= 0 && buf_put(out, (const char *)s + la, lb - la)) return -1;
        pos = i = end;
    }
    return finish(out, s, pos, n);
}

static int pass_urls(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0, i = 0;
    while (i < n) {
        const char *p = memmem_((const char *)s + i, n - i, "://", 3);
        if (!p) break;
        Py_ssize_t c = p - (const char *)s, a = -1;
        if (c - 5 >= pos && memcmp(s + c - 5, "https", 5) == 0) a = c - 5;
        else if (c - 4 >= pos && memcmp(s + c - 4, "http", 4) == 0) a = c - 4;
        else if (c - 3 >= pos && memcmp(s + c - 3, "ftp", 3) == 0) a = c - 3;
        Py_ssize_t e = c + 3;
        int l;
        while (e < n && s[e] != '<' && s[e] != '>' && s[e] != '[' && s[e] != ']' && s[e] != '|' &&
               !space_at(s, n, e, &l))
            e += (s[e] < 0x80 ? 1 : (dec_at(s, e, &l), l));
        if (a < 0 || e == c + 3) { i = c + 1; continue; }
        if (buf_put(out, (const char *)s + pos, a - pos)) return -1;
        pos = i = e;
    }
    return finish(out, s, pos, n);
}

/* 6. bold/italic quotes */
static int pass_quotes(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0, i = 0;
    while (i < n) {
        const char *p = memmem_((const char *)s + i, n - i, "''", 2);
        if (!p) break;
        i = p - (const char *)s;
        Py_ssize_t e = i;
        while (e < n && s[e] == '\'') e++;
        if (buf_put(out, (const char *)s + pos, i - pos)) return -1;
        pos = i = e;
    }
    return finish(out, s, pos, n);
}

/* 7. headings; 8. list markers and rules (one pass per rule, as in Python) */
static int pass_headings(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0, i = 0;
    while (i < n) {
        const char *p = memchr((const char *)s + i, '\n', n - i);
        if (!p) break;
        i = p - (const char *)s;
        Py_ssize_t j = i + 1;
        while (j < n && (s[j] == ' ' || s[j] == '\t')) j++;
        if (!(j < n && s[j] == '=')) { i++; continue; }
        const char *q = memchr((const char *)s + j, '\n', n - j);
        Py_ssize_t e = q ? q - (const char *)s : n;
        Py_ssize_t la = i + 1, lb = e;
        while (la < lb && (s[la] == ' ' || s[la] == '\t')) la++;
        while (lb > la && (s[lb - 1] == ' ' || s[lb - 1] == '\t')) lb--;
        Py_ssize_t lead = 0, trail = 0;
        while (la + lead < lb && s[la + lead] == '=') lead++;
        if (buf_put(out, (const char *)s + pos, i - pos)) return -1;
        if (lead == lb - la) {
            if (buf_putc(out, '\n')) return -1;
        } else {
            while (lb - trail > la && s[lb - trail - 1] == '=') trail++;
            Py_ssize_t level = lead < trail ? lead : trail;
            if (!level) {
                if (buf_put(out, (const char *)s + i, e - i)) return -1;
            } else {
                Py_ssize_t a = la + level, b = lb - level;
                while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
                while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
                if (buf_putc(out, '\n') || (b > a && buf_put(out, (const char *)s + a, b - a))) return -1;
            }
        }
        pos = i = e;
    }
    return finish(out, s, pos, n);
}

static int pass_lists(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0, i = 0;
    while (i < n) {
        const char *p = memchr((const char *)s + i, '\n', n - i);
        if (!p) break;
        i = p - (const char *)s;
        Py_ssize_t j = i + 1;
        while (j < n && (s[j] == ' ' || s[j] == '\t')) j++;
        Py_ssize_t k = j;
        while (k < n && (s[k] == '*' || s[k] == '#' || s[k] == ':' || s[k] == ';')) k++;
        if (k == j) {
            while (k < n && s[k] == '-') k++;
            if (k - j < 4) { i++; continue; }
        }
        while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
        if (buf_put(out, (const char *)s + pos, i - pos) || buf_putc(out, '\n')) return -1;
        pos = i = k;
    }
    return finish(out, s, pos, n);
}

/* 7b. behaviour switches __NOTOC__ */
static Py_ssize_t alnum_run(cu8 *s, Py_ssize_t n, Py_ssize_t i, int *ascii) {
    while (i < n) {
        if (s[i] < 0x80) {
            unsigned char c = s[i];
            if (!((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'))) break;
            i++;
        } else {
            int l;
            Py_UCS4 c = dec_at(s, i, &l);
            if (!is_alnum_cp(c)) break;
            *ascii = 0;
            i += l;
        }
    }
    return i;
}

static int pass_switches(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0, i = 0;
    while (i < n) {
        const char *p = memmem_((const char *)s + i, n - i, "__", 2);
        if (!p) break;
        i = p - (const char *)s;
        int ascii = 1;
        Py_ssize_t j = alnum_run(s, n, i + 2, &ascii);
        if (j == i + 2) { i++; continue; }
        for (;;) {
            if (j + 1 < n && s[j] == '_') {
                Py_ssize_t k = alnum_run(s, n, j + 1, &ascii);
                if (k > j + 1) { j = k; continue; }
            }
            break;
        }
        if (!(j + 1 < n && s[j] == '_' && s[j + 1] == '_')) { i++; continue; }
        int upper;
        if (ascii) {
            upper = 1;
            for (Py_ssize_t k = i + 2; k < j; k++)
                if (s[k] >= 'a' && s[k] <= 'z') { upper = 0; break; }
        } else {
            PyObject *name = PyUnicode_DecodeUTF8((const char *)s + i + 2, j - i - 2, "strict");
            if (!name) return -1;
            PyObject *up = PyObject_CallMethodNoArgs(name, str_upper);
            if (!up) { Py_DECREF(name); return -1; }
            upper = PyUnicode_Compare(name, up) == 0;
            Py_DECREF(name);
            Py_DECREF(up);
        }
        if (upper) {
            if (buf_put(out, (const char *)s + pos, i - pos)) return -1;
            pos = j + 2;
        }
        i = j + 2;
    }
    return finish(out, s, pos, n);
}

/* 8. remaining tags */
static const char *block_tags[] = {
    "br", "p", "div", "hr", "li", "ul", "ol", "dl", "dt", "dd", "table", "caption", "thead",
    "tbody", "tfoot", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "center",
    "pre", "poem", "section", "article", "aside", "figure", "figcaption", "nav", "header",
    "footer", "main", "details", "summary", "address", "rt", "rp", NULL};

static int pass_tags(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0, i = 0;
    while (i < n) {
        const char *p = memchr((const char *)s + i, '<', n - i);
        if (!p) break;
        i = p - (const char *)s;
        Py_ssize_t j = i + 1;
        if (j < n && s[j] == '/') j++;
        if (!(j < n && ((s[j] | 32) >= 'a' && (s[j] | 32) <= 'z'))) { i++; continue; }
        Py_ssize_t na = j;
        while (j < n && ((s[j] >= '0' && s[j] <= '9') || ((s[j] | 32) >= 'a' && (s[j] | 32) <= 'z'))) j++;
        Py_ssize_t nb = j, end = -1;
        int l;
        if (space_at(s, n, j, &l)) {
            Py_ssize_t k = j + l;
            while (k < n && s[k] != '<' && s[k] != '>') k++;
            if (k < n && s[k] == '>') end = k + 1;
        } else if (j < n && s[j] == '>') end = j + 1;
        else if (j + 1 < n && s[j] == '/' && s[j + 1] == '>') end = j + 2;
        if (end < 0) { i++; continue; }
        int block = 0;
        if (nb - na <= 10) {
            char low[12];
            for (Py_ssize_t k = 0; k < nb - na; k++) low[k] = (char)(s[na + k] >= 'A' && s[na + k] <= 'Z' ? s[na + k] + 32 : s[na + k]);
            for (int t = 0; block_tags[t]; t++)
                if ((Py_ssize_t)strlen(block_tags[t]) == nb - na && memcmp(block_tags[t], low, nb - na) == 0) {
                    block = 1;
                    break;
                }
        }
        if (buf_put(out, (const char *)s + pos, i - pos)) return -1;
        if (block && buf_putc(out, '\n')) return -1;
        pos = i = end;
    }
    return finish(out, s, pos, n);
}

/* 8b. html.unescape */
static int entity_dict_value(PyObject *key, Buf *out, int *found) {
    PyObject *v = PyDict_GetItemWithError(html5, key);
    if (!v) {
        *found = 0;
        return PyErr_Occurred() ? -1 : 0;
    }
    *found = 1;
    return buf_put_str(out, v);
}

static int pass_html_entities(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0, i = 0;
    while (i < n) {
        const char *p = memchr((const char *)s + i, '&', n - i);
        if (!p) break;
        i = p - (const char *)s;
        Py_ssize_t j = i + 1;
        if (j < n && s[j] == '#') {
            Py_ssize_t k = j + 1;
            int base = 10;
            Py_ssize_t da;
            if (k < n && s[k] >= '0' && s[k] <= '9') {
                da = k;
                while (k < n && s[k] >= '0' && s[k] <= '9') k++;
            } else if (k + 1 < n && (s[k] == 'x' || s[k] == 'X') && isxdigit(s[k + 1])) {
                base = 16;
                da = k + 1;
                k = da;
                while (k < n && isxdigit(s[k])) k++;
            } else { i++; continue; }
            Py_ssize_t db = k;
            if (k < n && s[k] == ';') k++;
            uint64_t num = 0;
            for (Py_ssize_t t = da; t < db; t++) {
                int d = s[t] <= '9' ? s[t] - '0' : (s[t] | 32) - 'a' + 10;
                num = num * base + d;
                if (num > 0x110000) num = 0x110000; /* any value above 0x10FFFF acts alike */
            }
            if (buf_put(out, (const char *)s + pos, i - pos)) return -1;
            PyObject *key = PyLong_FromUnsignedLongLong(num);
            if (!key) return -1;
            PyObject *v = PyDict_GetItemWithError(invalid_charrefs, key);
            if (v) {
                Py_DECREF(key);
                if (buf_put_str(out, v)) return -1;
            } else if (PyErr_Occurred()) {
                Py_DECREF(key);
                return -1;
            } else if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
                Py_DECREF(key);
                if (buf_put_cp(out, 0xFFFD)) return -1;
            } else {
                int bad = PySet_Contains(invalid_codepoints, key);
                Py_DECREF(key);
                if (bad < 0) return -1;
                if (!bad && buf_put_cp(out, (Py_UCS4)num)) return -1;
            }
            pos = i = k;
            continue;
        }
        /* [^\t\n\f <&#;]{1,32};? */
        Py_ssize_t k = j;
        int nchar = 0;
        while (k < n && nchar < 32) {
            unsigned char c = s[k];
            if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';')
                break;
            int l = 1;
            if (c >= 0x80) dec_at(s, k, &l);
            k += l;
            nchar++;
        }
        if (!nchar) { i++; continue; }
        if (k < n && s[k] == ';') k++;
        if (buf_put(out, (const char *)s + pos, i - pos)) return -1;
        PyObject *name = PyUnicode_DecodeUTF8((const char *)s + j, k - j, "strict");
        if (!name) return -1;
        int found;
        if (entity_dict_value(name, out, &found)) { Py_DECREF(name); return -1; }
        if (!found) {
            Py_ssize_t len = PyUnicode_GET_LENGTH(name);
            for (Py_ssize_t x = len - 1; x > 1 && !found; x--) {
                PyObject *pre = PyUnicode_Substring(name, 0, x);
                if (!pre) { Py_DECREF(name); return -1; }
                int r = entity_dict_value(pre, out, &found);
                Py_DECREF(pre);
                if (r) { Py_DECREF(name); return -1; }
                if (found) {
                    PyObject *rest = PyUnicode_Substring(name, x, len);
                    if (!rest) { Py_DECREF(name); return -1; }
                    r = buf_put_str(out, rest);
                    Py_DECREF(rest);
                    if (r) { Py_DECREF(name); return -1; }
                }
            }
            if (!found && (buf_putc(out, '&') || buf_put(out, (const char *)s + j, k - j))) {
                Py_DECREF(name);
                return -1;
            }
        }
        Py_DECREF(name);
        pos = i = k;
    }
    return finish(out, s, pos, n);
}

/* XML entities of a dump: &lt; &gt; &quot; &apos; &amp; &#x..; &#..; (one pass). 1: give up
 * (a numeric reference to a surrogate, which UTF-8 cannot hold). */
static int pass_xml_unescape(cu8 *s, Py_ssize_t n, Buf *out) {
    Py_ssize_t pos = 0, i = 0;
    while (i < n) {
        const char *p = memchr((const char *)s + i, '&', n - i);
        if (!p) break;
        i = p - (const char *)s;
        const char *rep = NULL;
        Py_ssize_t e = -1;
        Py_UCS4 cp = 0;
        int numeric = 0;
        if (n - i >= 4 && memcmp(s + i, "&lt;", 4) == 0) { rep = "<"; e = i + 4; }
        else if (n - i >= 4 && memcmp(s + i, "&gt;", 4) == 0) { rep = ">"; e = i + 4; }
        else if (n - i >= 6 && memcmp(s + i, "&quot;", 6) == 0) { rep = "\""; e = i + 6; }
        else if (n - i >= 6 && memcmp(s + i, "&apos;", 6) == 0) { rep = "'"; e = i + 6; }
        else if (n - i >= 5 && memcmp(s + i, "&amp;", 5) == 0) { rep = "&"; e = i + 5; }
        else if (i + 1 < n && s[i + 1] == '#') {
            Py_ssize_t k = i + 2, da;
            int base = 10;
            if (k < n && s[k] == 'x' && k + 1 < n && isxdigit(s[k + 1])) {
                base = 16; da = k + 1; k = da;
                while (k < n && isxdigit(s[k])) k++;
            } else {
                da = k;
                while (k < n && s[k] >= '0' && s[k] <= '9') k++;
            }
            if (k > da && k < n && s[k] == ';') {
                uint64_t num = 0;
                for (Py_ssize_t t = da; t < k; t++) {
                    int d = s[t] <= '9' ? s[t] - '0' : (s[t] | 32) - 'a' + 10;
                    num = num * base + d;
                    if (num > 0x110000) num = 0x110000;
                }
                e = k + 1;
                if (num > 0x10FFFF) e = -2; /* chr() fails: the reference stays as it is */
                else if (num >= 0xD800 && num <= 0xDFFF) return 1;
                else { numeric = 1; cp = (Py_UCS4)num; }
            }
        }
        if (e < 0) { /* not an entity, or one that stays as it is */
            i++;
            continue;
        }
        if (buf_put(out, (const char *)s + pos, i - pos)) return -1;
        if (numeric ? buf_put_cp(out, cp) : buf_put(out, rep, 1)) return -1;
        pos = i = e;
    }
    return finish(out, s, pos, n);
}

/* ------------------------------------------------------------------ clean_wikitext */

typedef int (*pass_fn)(cu8 *, Py_ssize_t, Buf *);

/* Run one pass from *cur into *tmp and swap. */
static int run_pass(pass_fn f, Buf *cur, Buf *tmp) {
    tmp->n = 0;
    int r = f((cu8 *)cur->p, cur->n, tmp);
    if (r == UNCHANGED) return 0;
    if (r) return r;
    Buf t = *cur;
    *cur = *tmp;
    *tmp = t;
    return 0;
}


/* The cleaned UTF-8 text of u[0:n] into *res (the caller frees res->p): 0, -1 on a Python
 * error, 1 when the Python cleaner must do the page. */
static int clean_utf8(const char *u, Py_ssize_t n, PyObject *names, int escaped, Buf *res) {
    Buf a = {0}, b = {0};
    int r = 0;
    if (buf_reserve(&a, n + 1) || buf_reserve(&b, n + 1)) goto error;
    a.p[0] = '\n';
    memcpy(a.p + 1, u, n);
    a.n = n + 1;
    if (escaped && (r = run_pass(pass_xml_unescape, &a, &b))) goto out;
    if ((r = run_pass(pass_comments, &a, &b))) goto out;
    if ((r = run_pass(pass_drop_elements, &a, &b))) goto out;
    if ((r = run_pass(pass_braces, &a, &b))) goto out;
    if ((r = run_pass(pass_simple_links, &a, &b))) goto out;
    for (int k = 0; k < 8; k++) {
        int changed;
        b.n = 0;
        if ((r = pass_links((cu8 *)a.p, a.n, names, &b, &changed)) == UNCHANGED) { r = 0; break; }
        if (r) goto out;
        Buf t = a; a = b; b = t;
    }
    if ((r = run_pass(pass_extlinks, &a, &b))) goto out;
    if ((r = run_pass(pass_urls, &a, &b))) goto out;
    if ((r = run_pass(pass_quotes, &a, &b))) goto out;
    if ((r = run_pass(pass_headings, &a, &b))) goto out;
    if ((r = run_pass(pass_lists, &a, &b))) goto out;
    if ((r = run_pass(pass_switches, &a, &b))) goto out;
    if ((r = run_pass(pass_tags, &a, &b))) goto out;
    if ((r = run_pass(pass_html_entities, &a, &b))) goto out;
out:
    PyMem_Free(b.p);
    if (r) {
        PyMem_Free(a.p);
        return r;
    }
    *res = a;
    return 0;
error:
    PyMem_Free(a.p);
    PyMem_Free(b.p);
    return -1;
}

static const char *text_utf8(PyObject *text, Py_ssize_t *n) {
    const char *u = PyUnicode_AsUTF8AndSize(text, n);
    if (!u) PyErr_Clear(); /* lone surrogates: the Python code */
    return u;
}

static PyObject *ctext_clean_wikitext(PyObject *self, PyObject *args) {
    PyObject *text, *names;
    int escaped, strip;
    if (!PyArg_ParseTuple(args, "UO!pp", &text, &PyDict_Type, &names, &escaped, &strip)) return NULL;
    if (!cleaner_configured) {
        PyErr_SetString(PyExc_RuntimeError, "corpora._ctext is not configured");
        return NULL;
    }
    Py_ssize_t n;
    const char *u = text_utf8(text, &n);
    if (!u) Py_RETURN_NONE;
    Buf a = {0};
    int r = clean_utf8(u, n, names, escaped, &a);
    if (r < 0) return NULL;
    if (r > 0) Py_RETURN_NONE;
    Py_ssize_t x = 0, y = a.n;
    if (strip) strip_bounds((cu8 *)a.p, &x, &y, 1, 1);
    PyObject *res = PyUnicode_DecodeUTF8(a.p + x, y - x, "strict");
    PyMem_Free(a.p);
    return res;
}

/* ------------------------------------------------------------------ tokenizer */

/* Cache of token strings by their UTF-8 bytes: a word seen before is the same str object
 * (fewer allocations; a pickle of a page batch stores it once). Direct-mapped; the first word
 * that takes a slot keeps it (no eviction: replacing entries cost more in cache misses than
 * the allocations saved). */
#define CACHE_BITS 13
#define CACHE_MAX_LEN 30
typedef struct {
    PyObject *obj;
    uint8_t len;
    char bytes[CACHE_MAX_LEN];
} CacheEntry;
static CacheEntry tok_cache[1 << CACHE_BITS];

/* The str of UTF-8 bytes p[0:len] (ASCII letters lowered with `lower`). */
static PyObject *token_str(const char *p, Py_ssize_t len, int lower, int ascii) {
    char tmp[CACHE_MAX_LEN];
    if (len > CACHE_MAX_LEN) {
        if (!ascii) return PyUnicode_DecodeUTF8(p, len, "strict");
        PyObject *s = PyUnicode_New(len, 127);
        if (!s) return NULL;
        char *d = PyUnicode_DATA(s);
        for (Py_ssize_t k = 0; k < len; k++) {
            unsigned char c = (unsigned char)p[k];
            d[k] = (char)((lower && c >= 'A' && c <= 'Z') ? c + 32 : c);
        }
        return s;
    }
    uint32_t h = 2166136261u;
    for (Py_ssize_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)p[k];
        if (lower && c >= 'A' && c <= 'Z') c += 32;
        tmp[k] = (char)c;
        h = (h ^ c) * 16777619u;
    }
    h ^= (uint32_t)len * 0x9E3779B1u;
    CacheEntry *e = &tok_cache[(h ^ (h >> 15)) & ((1u << CACHE_BITS) - 1)];
    if (e->obj && e->len == len && memcmp(e->bytes, tmp, len) == 0) {
        Py_INCREF(e->obj);
        return e->obj;
    }
    PyObject *s;
    if (ascii) {
        s = PyUnicode_New(len, 127);
        if (!s) return NULL;
        memcpy(PyUnicode_DATA(s), tmp, len);
    } else {
        s = PyUnicode_DecodeUTF8(tmp, len, "strict");
        if (!s) return NULL;
    }
    if (!e->obj) { /* the first word of a slot keeps it: frequent words come early */
        e->obj = Py_NewRef(s);
        e->len = (uint8_t)len;
        memcpy(e->bytes, tmp, len);
    }
    return s;
}

static PyObject *ascii_token(const char *p, Py_ssize_t len, int lower) {
    return token_str(p, len, lower, 1);
}

static inline int ascii_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* The lower-case sentence-start exclusions of tokenizer._LOWER */
static inline int in_lower_ranges(Py_UCS4 c) {
    return (c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xF6) || (c >= 0xF8 && c <= 0xFF) ||
           (c >= 0x430 && c <= 0x45F) || (c >= 0x3B1 && c <= 0x3C9);
}

/* Whether a sentence ends at the [.!?] at byte i; *end: the byte after the match. */
static int sentence_break(cu8 *s, Py_ssize_t n, Py_ssize_t i, Py_ssize_t *end) {
    if (s[i] == '.') {
        if (i > 0) {
            Py_ssize_t a = prev_start(s, i);
            int l;
            Py_UCS4 c = dec_at(s, a, &l);
            if (is_letter_re(c)) {
                if (a == 0) return 0;
                Py_ssize_t b = prev_start(s, a);
                Py_UCS4 d = dec_at(s, b, &l);
                if (!is_word_re(d)) return 0;
            }
        }
        for (Py_ssize_t k = 0; k < n_abbrevs; k++) {
            const char *ab = abbrevs[k];
            Py_ssize_t len = abbrev_len[k];
            if (i < len || (unsigned char)ab[len - 1] != s[i - 1]) continue;
            Py_ssize_t st = i - len;
            unsigned char f = s[st];
            if (!(f == (unsigned char)ab[0] || (f >= 'A' && f <= 'Z' && f + 32 == (unsigned char)ab[0])))
                continue;
            if (memcmp(s + st + 1, ab + 1, len - 1) != 0) continue;
            if (st > 0) {
                int l;
                Py_UCS4 d = dec_at(s, prev_start(s, st), &l);
                if (is_word_re(d)) continue;
            }
            return 0;
        }
    }
    Py_ssize_t j = i + 1;
    for (;;) { /* closing quotes and brackets */
        if (j < n && (s[j] == '"' || s[j] == '\'' || s[j] == ')' || s[j] == ']')) j++;
        else if (j + 2 < n && s[j] == 0xE2 && s[j + 1] == 0x80 && (s[j + 2] == 0x9D || s[j + 2] == 0x99)) j += 3;
        else if (j + 1 < n && s[j] == 0xC2 && s[j + 1] == 0xBB) j += 2;
        else break;
    }
    Py_ssize_t sp = j;
    while (j < n && (s[j] == ' ' || s[j] == '\t')) j++;
    if (j == sp) return 0;
    Py_ssize_t e = j;
    for (;;) { /* opening quotes and brackets (look-ahead only) */
        if (j < n && (s[j] == '"' || s[j] == '\'' || s[j] == '(' || s[j] == '[')) j++;
        else if (j + 2 < n && s[j] == 0xE2 && s[j + 1] == 0x80 && (s[j + 2] == 0x9C || s[j + 2] == 0x98)) j += 3;
        else if (j + 1 < n && s[j] == 0xC2 && s[j + 1] == 0xAB) j += 2;
        else break;
    }
    if (j >= n) return 0;
    int l;
    Py_UCS4 c = dec_at(s, j, &l);
    if (!is_alnum_cp(c) || in_lower_ranges(c)) return 0;
    *end = e;
    return 1;
}

/* Tokens of a non-ASCII sentence (a str, already lower-cased when asked) into `sent`; a
 * full stop of another script starts a new sentence in `out`. */
static int tokenize_line(PyObject *line, PyObject **sent, PyObject *out, Py_ssize_t min_tokens) {
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t len = PyUnicode_GET_LENGTH(line);
    if (PyUnicode_MAX_CHAR_VALUE(line) > 0xFFFF) {
        for (Py_ssize_t i = 0; i < len; i++)
            if (PyUnicode_READ(kind, data, i) > 0xFFFF) {
                /* beyond the BMP: the Python tokenizer */
                PyObject *toks = PyObject_CallOneArg(astral_line_tokens, line);
                if (!toks) return -1;
                Py_ssize_t m = PyList_GET_SIZE(toks);
                for (Py_ssize_t k = 0; k < m; k++) {
                    PyObject *t = PyList_GET_ITEM(toks, k);
                    if (PyUnicode_Compare(t, newline_str) == 0) {
                        if (PyList_GET_SIZE(*sent) >= min_tokens && PyList_Append(out, *sent)) { Py_DECREF(toks); return -1; }
                        Py_SETREF(*sent, PyList_New(0));
                        if (!*sent) { Py_DECREF(toks); return -1; }
                    } else if (PyList_Append(*sent, t)) { Py_DECREF(toks); return -1; }
                }
                Py_DECREF(toks);
                return 0;
            }
    }
    Py_ssize_t i = 0;
    while (i < len) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (BIT_GET(word_bmp, c)) {
            Py_ssize_t a = i, e;
            for (;;) {
                while (i < len && BIT_GET(word_bmp, PyUnicode_READ(kind, data, i))) i++;
                e = i;
                Py_ssize_t j = i;
                while (j < len) {
                    Py_UCS4 z = PyUnicode_READ(kind, data, j);
                    if (z != 0x200C && z != 0x200D) break;
                    j++;
                }
                if (j > i && j < len && BIT_GET(word_bmp, PyUnicode_READ(kind, data, j))) { i = j; continue; }
                break;
            }
            PyObject *t;
            if (kind == PyUnicode_1BYTE_KIND && PyUnicode_IS_ASCII(line))
                t = ascii_token((const char *)data + a, e - a, 0);
            else
                t = PyUnicode_Substring(line, a, e);
            if (!t) return -1;
            int r = PyList_Append(*sent, t);
            Py_DECREF(t);
            if (r) return -1;
            continue;
        }
        if (BIT_GET(terminal_bmp, c)) {
            if (PyList_GET_SIZE(*sent) >= min_tokens && PyList_Append(out, *sent)) return -1;
            Py_SETREF(*sent, PyList_New(0));
            if (!*sent) return -1;
        }
        i++;
    }
    return 0;
}

/* Tokens of a non-ASCII sentence s[a:b] straight from its UTF-8 bytes, lower-cased one
 * character at a time (Py_UNICODE_TOLOWER), which is what str.lower() does for every
 * character but U+0130 (two characters) and U+03A3 (final sigma by context): a sentence
 * with either, or with a character beyond the BMP, returns 1 (the caller takes the str
 * path). */
static int tokenize_utf8(cu8 *s, Py_ssize_t a, Py_ssize_t b, int lowercase, PyObject **sent,
                         PyObject *out, Py_ssize_t min_tokens) {
    for (Py_ssize_t i = a; i < b; i++) {
        unsigned char c = s[i];
        if (c >= 0xF0) return 1;
        if (lowercase && ((c == 0xC4 && s[i + 1] == 0xB0) || (c == 0xCE && s[i + 1] == 0xA3))) return 1;
    }
    char small[256];
    char *tb = small;
    Py_ssize_t tcap = sizeof(small), tn = 0;
    int tascii = 1, rc = 0;
    Py_ssize_t i = a;
    while (i < b) {
        int l;
        Py_UCS4 c = dec_at(s, i, &l);
        if (lowercase && c >= 0x80) c = Py_UNICODE_TOLOWER(c);
        else if (lowercase && c >= 'A' && c <= 'Z') c += 32;
        if (!BIT_GET(word_bmp, c)) {
            if (BIT_GET(terminal_bmp, c)) {
                if (PyList_GET_SIZE(*sent) >= min_tokens && PyList_Append(out, *sent)) { rc = -1; goto done; }
                Py_SETREF(*sent, PyList_New(0));
                if (!*sent) { rc = -1; goto done; }
            }
            i += l;
            continue;
        }
        /* a token: word characters, joined by ZWNJ/ZWJ runs followed by a word character */
        tn = 0;
        tascii = 1;
        for (;;) {
            while (i < b) {
                Py_UCS4 d = dec_at(s, i, &l);
                if (lowercase && d >= 0x80) d = Py_UNICODE_TOLOWER(d);
                else if (lowercase && d >= 'A' && d <= 'Z') d += 32;
                if (!BIT_GET(word_bmp, d)) break;
                if (tn + 4 > tcap) {
                    Py_ssize_t ncap = tcap * 2;
                    char *nb = tb == small ? PyMem_Malloc(ncap) : PyMem_Realloc(tb, ncap);
                    if (!nb) { PyErr_NoMemory(); rc = -1; goto done; }
                    if (tb == small) memcpy(nb, small, tn);
                    tb = nb;
                    tcap = ncap;
                }
                if (d < 0x80) tb[tn++] = (char)d;
                else {
                    tascii = 0;
                    if (d < 0x800) { tb[tn++] = (char)(0xC0 | (d >> 6)); tb[tn++] = (char)(0x80 | (d & 0x3F)); }
                    else { tb[tn++] = (char)(0xE0 | (d >> 12)); tb[tn++] = (char)(0x80 | ((d >> 6) & 0x3F)); tb[tn++] = (char)(0x80 | (d & 0x3F)); }
                }
                i += l;
            }
            Py_ssize_t j = i;
            while (j < b) {
                Py_UCS4 z = dec_at(s, j, &l);
                if (z != 0x200C && z != 0x200D) break;
                j += l;
            }
            if (j > i && j < b) {
                Py_UCS4 d = dec_at(s, j, &l);
                if (lowercase && d >= 0x80) d = Py_UNICODE_TOLOWER(d);
                else if (lowercase && d >= 'A' && d <= 'Z') d += 32;
                if (BIT_GET(word_bmp, d)) {
                    /* keep the joiners inside the token */
                    Py_ssize_t jn = j - i;
                    if (tn + jn + 4 > tcap) {
                        Py_ssize_t ncap = (tn + jn + 4) * 2;
                        char *nb = tb == small ? PyMem_Malloc(ncap) : PyMem_Realloc(tb, ncap);
                        if (!nb) { PyErr_NoMemory(); rc = -1; goto done; }
                        if (tb == small) memcpy(nb, small, tn);
                        tb = nb;
                        tcap = ncap;
                    }
                    memcpy(tb + tn, s + i, jn);
                    tn += jn;
                    tascii = 0;
                    i = j;
                    continue;
                }
            }
            break;
        }
        PyObject *t = token_str(tb, tn, 0, tascii);
        if (!t) { rc = -1; goto done; }
        int r = PyList_Append(*sent, t);
        Py_DECREF(t);
        if (r) { rc = -1; goto done; }
    }
done:
    if (tb != small) PyMem_Free(tb);
    return rc;
}

/* Sentences (token lists) of the UTF-8 text s[0:n]. */
static PyObject *sentences_utf8(cu8 *s, Py_ssize_t n, int lowercase, Py_ssize_t min_tokens) {
    if (min_tokens < 1) min_tokens = 1;
    PyObject *out = PyList_New(0);
    PyObject *sent = NULL;
    if (!out) return NULL;
    Py_ssize_t a = 0, i = 0;
    for (;;) {
        /* the next sentence end: a newline or a [.!?] that ends a sentence */
        Py_ssize_t b = n, e = n;
        int nonascii = 0;
        while (i < n) {
            unsigned char c = s[i];
            if (c == '\n') { b = i; e = i + 1; break; }
            if (c == '.' || c == '!' || c == '?') {
                Py_ssize_t end;
                if (sentence_break(s, n, i, &end)) { b = i; e = end; break; }
            } else if (c >= 0x80) nonascii = 1;
            i++;
        }
        sent = PyList_New(0);
        if (!sent) goto error;
        if (!nonascii) {
            Py_ssize_t k = a;
            while (k < b) {
                while (k < b && !ascii_alnum(s[k])) k++;
                if (k >= b) break;
                Py_ssize_t st = k;
                while (k < b && ascii_alnum(s[k])) k++;
                PyObject *t = ascii_token((const char *)s + st, k - st, lowercase);
                if (!t) goto error;
                int r = PyList_Append(sent, t);
                Py_DECREF(t);
                if (r) goto error;
            }
        } else {
            int r0 = tokenize_utf8(s, a, b, lowercase, &sent, out, min_tokens);
            if (r0 < 0) goto error;
            if (r0 == 0) goto next;
            PyObject *line = PyUnicode_DecodeUTF8((const char *)s + a, b - a, "strict");
            if (!line) goto error;
            if (lowercase) {
                PyObject *low = PyObject_CallMethodNoArgs(line, str_lower);
                Py_DECREF(line);
                if (!low) goto error;
                line = low;
            }
            int r = tokenize_line(line, &sent, out, min_tokens);
            Py_DECREF(line);
            if (r) goto error;
        }
    next:
        if (PyList_GET_SIZE(sent) >= min_tokens && PyList_Append(out, sent)) goto error;
        Py_CLEAR(sent);
        if (b >= n) break;
        a = i = e;
    }
    return out;
error:
    Py_XDECREF(sent);
    Py_DECREF(out);
    return NULL;
}

static PyObject *ctext_sentences(PyObject *self, PyObject *args) {
    PyObject *text;
    int lowercase;
    Py_ssize_t min_tokens;
    if (!PyArg_ParseTuple(args, "Upn", &text, &lowercase, &min_tokens)) return NULL;
    if (!tokenizer_configured) {
        PyErr_SetString(PyExc_RuntimeError, "corpora._ctext is not configured");
        return NULL;
    }
    Py_ssize_t n;
    const char *u = text_utf8(text, &n);
    if (!u) Py_RETURN_NONE;
    return sentences_utf8((cu8 *)u, n, lowercase, min_tokens);
}

static PyObject *ctext_clean_sentences(PyObject *self, PyObject *args) {
    PyObject *text, *names;
    int escaped, lowercase;
    Py_ssize_t min_tokens;
    if (!PyArg_ParseTuple(args, "UO!ppn", &text, &PyDict_Type, &names, &escaped, &lowercase, &min_tokens))
        return NULL;
    if (!cleaner_configured || !tokenizer_configured) {
        PyErr_SetString(PyExc_RuntimeError, "corpora._ctext is not configured");
        return NULL;
    }
    Py_ssize_t n;
    const char *u = text_utf8(text, &n);
    if (!u) Py_RETURN_NONE;
    Buf a = {0};
    int r = clean_utf8(u, n, names, escaped, &a);
    if (r < 0) return NULL;
    if (r > 0) Py_RETURN_NONE;
    Py_ssize_t x = 0, y = a.n;
    strip_bounds((cu8 *)a.p, &x, &y, 1, 1);
    PyObject *res = sentences_utf8((cu8 *)a.p + x, y - x, lowercase, min_tokens);
    PyMem_Free(a.p);
    return res;
}

/* ------------------------------------------------------------------ configure */

static PyObject *ctext_configure_tokenizer(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"word_ranges", "terminals", "abbreviations", "astral_line_tokens", NULL};
    PyObject *ranges, *terms, *abbr, *alt;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OUOO", kwlist, &ranges, &terms, &abbr, &alt))
        return NULL;
    memset(word_bmp, 0, sizeof(word_bmp));
    memset(terminal_bmp, 0, sizeof(terminal_bmp));
    PyObject *it = PyObject_GetIter(ranges);
    if (!it) return NULL;
    PyObject *item;
    while ((item = PyIter_Next(it))) {
        long lo, hi;
        if (!PyArg_ParseTuple(item, "ll", &lo, &hi)) { Py_DECREF(item); Py_DECREF(it); return NULL; }
        Py_DECREF(item);
        for (long c = lo; c <= hi && c < 0x10000; c++) BIT_SET(word_bmp, c);
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return NULL;
    Py_ssize_t nt = PyUnicode_GET_LENGTH(terms);
    for (Py_ssize_t k = 0; k < nt; k++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(terms, k);
        if (c < 0x10000) BIT_SET(terminal_bmp, c);
    }
    PyObject *seq = PySequence_Fast(abbr, "abbreviations must be a sequence");
    if (!seq) return NULL;
    Py_ssize_t na = PySequence_Fast_GET_SIZE(seq);
    char **list = PyMem_Calloc(na + 1, sizeof(char *));
    if (!list) { Py_DECREF(seq); return PyErr_NoMemory(); }
    for (Py_ssize_t k = 0; k < na; k++) {
        Py_ssize_t l;
        const char *p = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(seq, k), &l);
        if (!p) { Py_DECREF(seq); return NULL; }
        list[k] = PyMem_Malloc(l + 1);
        if (!list[k]) { Py_DECREF(seq); return PyErr_NoMemory(); }
        memcpy(list[k], p, l + 1);
    }
    Py_DECREF(seq);
    Py_ssize_t *lens = PyMem_Calloc(na + 1, sizeof(Py_ssize_t));
    if (!lens) return PyErr_NoMemory();
    for (Py_ssize_t k = 0; k < na; k++) lens[k] = (Py_ssize_t)strlen(list[k]);
    abbrev_len = lens;
    abbrevs = list; /* configured once per process; an older list is left allocated */
    n_abbrevs = na;
    Py_XSETREF(astral_line_tokens, Py_NewRef(alt));
    tokenizer_configured = 1;
    Py_RETURN_NONE;
}

static PyObject *ctext_configure_cleaner(PyObject *self, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"interwiki", "normalize_namespace", "html5", "invalid_charrefs",
                             "invalid_codepoints", NULL};
    PyObject *iw, *norm, *h5, *ic, *icp;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!OO!O!O!", kwlist, &PyFrozenSet_Type, &iw, &norm,
                                     &PyDict_Type, &h5, &PyDict_Type, &ic, &PyFrozenSet_Type, &icp))
        return NULL;
    Py_XSETREF(interwiki, Py_NewRef(iw));
    Py_XSETREF(normalize_ns, Py_NewRef(norm));
    Py_XSETREF(html5, Py_NewRef(h5));
    Py_XSETREF(invalid_charrefs, Py_NewRef(ic));
    Py_XSETREF(invalid_codepoints, Py_NewRef(icp));
    cleaner_configured = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure_tokenizer", (PyCFunction)(void (*)(void))ctext_configure_tokenizer,
     METH_VARARGS | METH_KEYWORDS, "The tokenizer's tables (called by corpora.tokenizer)."},
    {"configure_cleaner", (PyCFunction)(void (*)(void))ctext_configure_cleaner,
     METH_VARARGS | METH_KEYWORDS, "The cleaner's tables (called by corpora.wikitext_cleaner)."},
    {"clean_wikitext", ctext_clean_wikitext, METH_VARARGS,
     "clean_wikitext(text, names, escaped, strip) -> str, or None where the Python cleaner "
     "must do the page."},
    {"clean_sentences", ctext_clean_sentences, METH_VARARGS,
     "clean_sentences(text, names, escaped, lowercase, min_tokens) -> the sentences of the "
     "cleaned text (numbers kept), or None where the Python cleaner must do the page."},
    {"sentences", ctext_sentences, METH_VARARGS,
     "sentences(text, lowercase, min_tokens) -> list of token lists (numbers kept), or None."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {PyModuleDef_HEAD_INIT, "corpora._ctext",
                                       "Compiled twin of the wikitext cleaner and tokenizer.", -1,
                                       methods};

PyMODINIT_FUNC PyInit__ctext(void) {
    PyObject *m = PyModule_Create(&moduledef);
    if (!m) return NULL;
    str_lower = PyUnicode_InternFromString("lower");
    str_upper = PyUnicode_InternFromString("upper");
    newline_str = PyUnicode_InternFromString("\n");
    if (!str_lower || !str_upper || !newline_str) return NULL;
    if (PyModule_AddIntConstant(m, "ABI", CTEXT_ABI)) return NULL;
    return m;
}
