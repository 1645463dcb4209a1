/*
 * cmd_crawl.h — `newsmon crawl` (README.md documents it).
 */
#ifndef NEWSMON_CMD_CRAWL_H
#define NEWSMON_CMD_CRAWL_H

#include "crawler/cli.h"

cli_command cmd_crawl;

#endif
