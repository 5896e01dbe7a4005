/* notplugin — a shared object without the carbot_plugin entry point. */
__attribute__((visibility("default"))) int not_a_plugin(void);
int not_a_plugin(void)
{
	return 42;
}
