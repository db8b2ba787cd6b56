#include <stdio.h>
void log_placeholder(void);
void log_placeholder(void) {}
