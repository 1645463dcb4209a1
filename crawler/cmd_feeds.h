/*
 * cmd_feeds.h — `feeds`, `discover URL`, `opml import|export` (README.md documents each).
 */
#ifndef NEWSMON_CMD_FEEDS_H
#define NEWSMON_CMD_FEEDS_H

#include "crawler/cli.h"

cli_command cmd_feeds;
cli_command cmd_discover;
cli_command cmd_opml;

#endif
