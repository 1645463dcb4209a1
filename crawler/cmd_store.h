/*
 * cmd_store.h — `import`, `export` and `search` (README.md documents each).
 */
#ifndef NEWSMON_CMD_STORE_H
#define NEWSMON_CMD_STORE_H

#include "crawler/cli.h"

cli_command cmd_import;
cli_command cmd_export;
cli_command cmd_search;

#endif
