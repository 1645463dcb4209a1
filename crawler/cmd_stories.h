/*
 * cmd_stories.h — `stories`, `story ID`, `retag` (README.md documents each).
 */
#ifndef NEWSMON_CMD_STORIES_H
#define NEWSMON_CMD_STORIES_H

#include "crawler/cli.h"

cli_command cmd_stories;
cli_command cmd_story;
cli_command cmd_retag;

#endif
