#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Swift cannot see curses macros and mutable globals; these wrappers expose them. */

static inline WINDOW *chatty_stdscr(void) { return stdscr; }
static inline int chatty_lines(void) { return LINES; }
static inline int chatty_cols(void) { return COLS; }
static inline int chatty_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int chatty_a_bold(void) { return (int)A_BOLD; }
static inline int chatty_a_dim(void) { return (int)A_DIM; }
static inline int chatty_a_reverse(void) { return (int)A_REVERSE; }
static inline int chatty_a_underline(void) { return (int)A_UNDERLINE; }
static inline int chatty_a_italic(void) {
#ifdef A_ITALIC
    return (int)A_ITALIC;
#else
    return 0;
#endif
}
static inline void chatty_set_escdelay(int ms) { set_escdelay(ms); }
static inline int chatty_key_resize(void) { return KEY_RESIZE; }
static inline int chatty_err(void) { return ERR; }
static inline int chatty_key_code_yes(void) { return KEY_CODE_YES; }

/// Reads one key: returns KEY_CODE_YES for function keys, OK for characters, ERR on timeout.
static inline int chatty_get_wch(unsigned int *out) {
    wint_t ch = 0;
    int r = wget_wch(stdscr, &ch);
    *out = (unsigned int)ch;
    return r;
}

/// Writes a UTF-8 string at the cursor with attributes (the caller sanitised it).
static inline void chatty_addstr_attr(int y, int x, const char *utf8, int attr) {
    attr_t old; short pair;
    wattr_get(stdscr, &old, &pair, NULL);
    wattrset(stdscr, attr);
    mvwaddstr(stdscr, y, x, utf8);
    wattrset(stdscr, old);
}

static inline void chatty_write_raw(const char *s) { fputs(s, stdout); fflush(stdout); }

#endif
