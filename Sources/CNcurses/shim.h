#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
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

/* The mouse wheel (and nothing else of the mouse): ncurses turns the terminal's mouse reporting on. */
static inline int chatty_enable_wheel(int on) {
#if defined(NCURSES_MOUSE_VERSION) && NCURSES_MOUSE_VERSION > 1
    mouseinterval(0);
    return mousemask(on ? (BUTTON4_PRESSED | BUTTON5_PRESSED) : 0, NULL) != 0;
#else
    return 0;
#endif
}
static inline int chatty_key_mouse(void) { return KEY_MOUSE; }
/// The mouse event waiting after KEY_MOUSE: -1 wheel up, 1 wheel down, 0 anything else; its cell in *x, *y.
static inline int chatty_read_wheel(int *x, int *y) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *x = event.x;
    *y = event.y;
#if defined(NCURSES_MOUSE_VERSION) && NCURSES_MOUSE_VERSION > 1
    if (event.bstate & BUTTON4_PRESSED) return -1;
    if (event.bstate & BUTTON5_PRESSED) return 1;
#endif
    return 0;
}

static inline int chatty_colors(void) { return COLORS; }
static inline int chatty_color_pairs(void) { return COLOR_PAIRS; }

/// Draws a UTF-8 string at (y, x) with attributes and a colour pair (the caller sanitised it).
static inline void chatty_draw(int y, int x, const char *utf8, unsigned int attrs, short pair) {
    wattr_set(stdscr, (attr_t)attrs, pair, NULL);
    mvwaddstr(stdscr, y, x, utf8);
}

static inline void chatty_clear_line(int y) {
    wattr_set(stdscr, A_NORMAL, 0, NULL);
    wmove(stdscr, y, 0);
    wclrtoeol(stdscr);
}

/* Signals (SIGINT, SIGTERM, SIGHUP) are turned into a byte on a pipe so the main loop can
   restore the terminal in an orderly way. */
static int chatty_signal_fd = -1;
static volatile sig_atomic_t chatty_signal_received = 0;
static inline void chatty_signal_handler(int signo) {
    chatty_signal_received = signo;
    if (chatty_signal_fd >= 0) {
        char byte = 's';
        ssize_t ignored = write(chatty_signal_fd, &byte, 1);
        (void)ignored;
    }
}
static inline void chatty_install_signal_handlers(int fd) {
    chatty_signal_fd = fd;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = chatty_signal_handler;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
}
static inline int chatty_take_signal(void) {
    int signo = chatty_signal_received;
    chatty_signal_received = 0;
    return signo;
}

#endif
