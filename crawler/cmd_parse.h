/*
 * cmd_parse.h — `newsmon parse [--url URL] FILE|-`: one feed document to the pinned JSON.
 */
#ifndef NEWSMON_CMD_PARSE_H
#define NEWSMON_CMD_PARSE_H

#include "crawler/cli.h"

cli_command cmd_parse;

#endif
