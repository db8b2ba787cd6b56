/*
 * jixiaod's offline subcommands on a data directory: backup, restore and check. Each
 * takes argc/argv from its own name on and returns a sysexits.h code.
 */
#ifndef JX_ADMIN_H
#define JX_ADMIN_H

int admin_backup_main(int argc, char **argv);
int admin_restore_main(int argc, char **argv);
int admin_check_main(int argc, char **argv);

#endif
