void daemon_placeholder(void);
void daemon_placeholder(void) {}
