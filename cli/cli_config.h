/*  cli/cli_config.h - `readme2ci config check FILE | show [FILE]`:
    a config file checked without starting anything, and the running
    configuration (after `ctl scale` and `ctl update`) beside its file.  */
#ifndef CLI_CONFIG_H_INCLUDED
#define CLI_CONFIG_H_INCLUDED

//  The command: argv holds the arguments after "config". Returns the exit
//  status (cli_exit.h).
int cli_config (int argc, char **argv);

#endif
