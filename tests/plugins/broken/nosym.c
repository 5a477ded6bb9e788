/* nosym.c — a shared object without gradlab's entry symbols (loader test). */
int nosym_something(void);
int nosym_something(void) {
  return 1;
}
