/* testkit.h — the testkit plugin's files, to one another. */
#ifndef TESTKIT_H
#define TESTKIT_H

#include <carbot/sdk.h>

/* Registers POST /t/chat-floor (chatfloor.c). */
void testkit_chat_floor(cb_plugin *p);

#endif
