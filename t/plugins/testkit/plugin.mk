# testkit: a plugin for the core's tests; it exercises every SDK area.
# chatfloor.c runs the chat plugin's statement (bench/chat.pl's floor).
CFLAGS_testkit := -Iplugins/chat
$(B)/t/plugins/testkit.so: plugins/chat/persist_sql.h
