void out_placeholder(void);
void out_placeholder(void) {}
