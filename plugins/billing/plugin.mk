# billing: the keys and landing services' headers (both optional at run time).
CFLAGS_billing := -Iplugins/keys -Iplugins/landing
