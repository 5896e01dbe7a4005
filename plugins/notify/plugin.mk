# notify: SMTP through libcurl, base64 and HMAC via OpenSSL's libcrypto.
# The mail templates (mails/*.hbs) are embedded like migrations, by cb-embed,
# under their own symbol names (notify_tpl_files, notify_tpl_n).
LIBS_notify := -lcurl -lcrypto $(B)/gen/notify/mails.c
$(B)/gen/notify/mails.c: $(sort $(wildcard plugins/notify/mails/*.hbs)) $(B)/cb-embed
	@mkdir -p $(dir $@)
	$(B)/cb-embed $@.tmp $(sort $(wildcard plugins/notify/mails/*.hbs))
	sed -e 's/cb_embedded\[/notify_tpl_files[/g' -e 's/cb_embedded_n/notify_tpl_n/g' $@.tmp > $@
	rm -f $@.tmp
$(B)/plugins/notify.so: $(B)/gen/notify/mails.c
