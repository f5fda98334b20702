/*
 * cli/commands.h — labelctl's verbs.  Each takes the shared environment and
 * its own argv (argv[0] is the verb) and returns the process exit code.
 */
#ifndef LC_CLI_COMMANDS_H
#define LC_CLI_COMMANDS_H

struct cli_env {
	const char *database_url;
	const char *sql_dir;
	const char *server_url;
};

struct cli_verb {
	const char *name;
	int (*run)(const struct cli_env *env, int argc, char **argv);
	const char *help;
};

/* Does argv ask for the verb's help?  Prints `text` to stdout if so. */
int cli_wants_help(int argc, char **argv, const char *text);

int cmd_migrate(const struct cli_env *env, int argc, char **argv);
/* cmd_verify.c, cmd_anchor.c: proofs and anchors */
int cmd_verify(const struct cli_env *env, int argc, char **argv);
int cmd_anchor(const struct cli_env *env, int argc, char **argv);
int cmd_status(const struct cli_env *env, int argc, char **argv);
int cmd_account(const struct cli_env *env, int argc, char **argv);
int cmd_credit(const struct cli_env *env, int argc, char **argv);
int cmd_reestimate(const struct cli_env *env, int argc, char **argv);
int cmd_aggregate(const struct cli_env *env, int argc, char **argv);

#endif
