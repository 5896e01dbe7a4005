/* legal_text.c — the words of the Impressum and the privacy page, German and
 * English. Every value from the owner is escaped here; the privacy page
 * describes what CarBot really does (see plugins/chat/README.md, "What is
 * stored", and widget/src/store.js) and ends with the owner's own text. */
#include <string.h>

#include "landing.h"

static int is_en(const cb_json *conf)
{
	const char *l = cb_json_get_str(conf, "locale");
	return l && strcmp(l, "en") == 0;
}

const char *legal_title(const cb_json *conf, int privacy)
{
	if (is_en(conf))
		return privacy ? "Privacy policy" : "Legal notice";
	return privacy ? "Datenschutzerklärung" : "Impressum";
}

static void item(struct buf *b, const char *label, const char *value)
{
	if (!value)
		return;
	buf_printf(b, "<dt>%s</dt><dd>", label);
	html_escape(b, value);
	buf_puts(b, "</dd>\n");
}

/* Phone and e-mail as links; href built from checked values, escaped. */
static void contact_items(struct buf *b, const char *phone, const char *email, int en)
{
	if (phone) {
		struct buf tel;
		buf_init(&tel, b->req);
		for (const char *p = phone; *p; p++)
			if ((*p >= '0' && *p <= '9') || (*p == '+' && p == phone))
				buf_add(&tel, p, 1);
		buf_printf(b, "<dt>%s</dt><dd><a href=\"tel:%s\">", en ? "Phone" : "Telefon",
		           tel.len ? tel.p : "");
		html_escape(b, phone);
		buf_puts(b, "</a></dd>\n");
	}
	if (email) {
		buf_puts(b, "<dt>E-Mail</dt><dd><a href=\"mailto:");
		html_escape(b, email);
		buf_puts(b, "\">");
		html_escape(b, email);
		buf_puts(b, "</a></dd>\n");
	}
}

static void controller(struct buf *b, const cb_json *conf, int en)
{
	const char *name = imprint_value(conf, "name"), *form = imprint_value(conf, "legal_form");

	buf_puts(b, "<p>");
	html_escape(b, name ? name : "");
	if (form && name && !strstr(name, form)) {
		buf_puts(b, " ");
		html_escape(b, form);
	}
	if (imprint_value(conf, "address")) {
		buf_puts(b, "\n");
		html_escape(b, imprint_value(conf, "address"));
	}
	buf_puts(b, "</p>\n<dl>\n");
	if (form)
		item(b, en ? "Legal form" : "Rechtsform", form);
	item(b, en ? "Represented by" : "Vertreten durch", imprint_value(conf, "representative"));
	contact_items(b, imprint_value(conf, "phone"), imprint_value(conf, "email"), en);
	buf_puts(b, "</dl>\n");
}

void imprint_body(struct buf *b, const cb_json *conf)
{
	int en = is_en(conf);
	const char *court = imprint_value(conf, "register_court");
	const char *number = imprint_value(conf, "register_number");

	buf_printf(b, "<h1>%s</h1>\n<p>%s</p>\n", en ? "Legal notice" : "Impressum",
	           en ? "Information pursuant to § 5 DDG (German Digital Services Act)"
	              : "Angaben gemäß § 5 DDG");
	if (imprint_missing(b->req, conf))
		buf_printf(
		    b, "<p class=\"note\">%s</p>\n",
		    en ? "This legal notice is incomplete: the business has not yet entered "
		         "every detail."
		       : "Dieses Impressum ist unvollständig: der Betrieb hat noch nicht alle "
		         "Angaben gemacht.");
	controller(b, conf, en);
	if (court || number) {
		buf_printf(b, "<h2>%s</h2>\n<dl>\n", en ? "Register entry" : "Registereintrag");
		item(b, en ? "Register court" : "Registergericht", court);
		item(b, en ? "Register number" : "Registernummer", number);
		buf_puts(b, "</dl>\n");
	}
	if (imprint_value(conf, "vat_id")) {
		buf_printf(b, "<h2>%s</h2>\n<p>",
		           en ? "VAT identification number (§ 27a UStG)"
		              : "Umsatzsteuer-Identifikationsnummer gemäß § 27a UStG");
		html_escape(b, imprint_value(conf, "vat_id"));
		buf_puts(b, "</p>\n");
	}
	if (imprint_value(conf, "supervisory_authority")) {
		buf_printf(b, "<h2>%s</h2>\n<p>",
		           en ? "Supervisory authority" : "Aufsichtsbehörde");
		html_escape(b, imprint_value(conf, "supervisory_authority"));
		buf_puts(b, "</p>\n");
	}
	if (imprint_value(conf, "chamber")) {
		buf_printf(b, "<h2>%s</h2>\n<p>",
		           en ? "Chamber and professional rules"
		              : "Kammer und berufsrechtliche Regelungen");
		html_escape(b, imprint_value(conf, "chamber"));
		buf_puts(b, "</p>\n");
	}
	if (imprint_value(conf, "extra")) {
		buf_puts(b, "<p>");
		html_escape(b, imprint_value(conf, "extra"));
		buf_puts(b, "</p>\n");
	}
}

static void section(struct buf *b, const char *title, const char *text)
{
	buf_printf(b, "<h2>%s</h2>\n<p>%s</p>\n", title, text);
}

void privacy_body(struct buf *b, const cb_json *conf)
{
	int en = is_en(conf);
	const cb_json *pv = cb_json_get(conf, "privacy");
	const char *officer = cb_json_get_str(pv, "officer"), *extra = cb_json_get_str(pv, "extra");
	const char *name = imprint_value(conf, "name");

	buf_printf(b, "<h1>%s</h1>\n<h2>%s</h2>\n", en ? "Privacy policy" : "Datenschutzerklärung",
	           en ? "Who is responsible" : "Verantwortlich");
	controller(b, conf, en);
	if (officer && *officer) {
		buf_printf(b, "<p>%s ",
		           en ? "Data protection officer:" : "Datenschutzbeauftragte(r):");
		html_escape(b, officer);
		buf_puts(b, "</p>\n");
	}
	if (en) {
		section(
		    b, "Visiting this page",
		    "This page is hosted by CarBot on behalf of the business named above. To "
		    "deliver "
		    "it, the server necessarily processes your IP address, the time, the address "
		    "requested and your browser's identification. They are not written to log "
		    "files "
		    "or databases. To stop abuse, a one-way hash derived from the IP address is "
		    "kept "
		    "in a short-lived counter for at most 15 minutes (up to 30 if the limit was "
		    "exceeded). The page loads no fonts, maps or scripts from other providers and "
		    "sets no cookies; the map link opens OpenStreetMap only when you click it. "
		    "Legal basis: Art. 6(1)(f) GDPR (a working, secure website).");
		section(
		    b, "The chat",
		    "The chat window stores nothing on your device until you open it. Once opened, "
		    "it "
		    "keeps its session (an identifier, your language and the conversation shown) "
		    "in "
		    "your browser's session storage, which ends when you close the tab, so it "
		    "continues on the next page. Your messages and the chat's answers are stored "
		    "with their time, your browser's identification and a pseudonym computed from "
		    "your IP address and browser with a secret key (the IP address itself is not "
		    "stored). A conversation's context is kept for 30 minutes after your last "
		    "message. If you ask for an appointment or a call back, the name, phone "
		    "number, "
		    "e-mail address and wish you enter are passed to the business as a request. "
		    "Conversations and requests are kept until the business deletes them, at the "
		    "latest when its CarBot account is erased. Legal basis: Art. 6(1)(b) GDPR for "
		    "requests about a contract, otherwise Art. 6(1)(f) GDPR (answering your "
		    "questions).");
		section(
		    b, "Your rights",
		    "You may ask for access to, correction, erasure or restriction of your data, "
		    "object to its processing and receive it in a portable form (Art. 15–21 GDPR), "
		    "by writing to the address above. You may also complain to a data protection "
		    "supervisory authority.");
	} else {
		section(
		    b, "Aufruf dieser Seite",
		    "Diese Seite wird von CarBot im Auftrag des oben genannten Betriebs "
		    "bereitgestellt. "
		    "Um sie auszuliefern, verarbeitet der Server zwangsläufig Ihre IP-Adresse, den "
		    "Zeitpunkt, die aufgerufene Adresse und die Kennung Ihres Browsers. Sie werden "
		    "weder in Protokolldateien noch in Datenbanken gespeichert. Zur Abwehr von "
		    "Missbrauch wird eine aus der IP-Adresse gebildete, nicht umkehrbare Prüfsumme "
		    "in "
		    "einem kurzlebigen Zähler höchstens 15 Minuten gehalten (bis zu 30 Minuten, "
		    "wenn "
		    "die Grenze überschritten wurde). Die Seite lädt keine Schriften, Karten oder "
		    "Skripte anderer Anbieter und setzt keine Cookies; der Kartenlink öffnet "
		    "OpenStreetMap erst, wenn Sie ihn anklicken. Rechtsgrundlage: Art. 6 Abs. 1 "
		    "lit. f "
		    "DSGVO (eine funktionierende, sichere Website).");
		section(
		    b, "Der Chat",
		    "Das Chatfenster speichert nichts auf Ihrem Gerät, bevor Sie es öffnen. Danach "
		    "behält es seine Sitzung (eine Kennung, Ihre Sprache und den angezeigten "
		    "Verlauf) "
		    "im Sitzungsspeicher Ihres Browsers, damit es auf der nächsten Seite "
		    "weiterläuft; er endet, wenn Sie den Tab schließen. Ihre "
		    "Nachrichten "
		    "und die Antworten des Chats werden mit Zeitpunkt, der Kennung Ihres Browsers "
		    "und "
		    "einem Pseudonym gespeichert, das mit einem geheimen Schlüssel aus IP-Adresse "
		    "und "
		    "Browser berechnet wird (die IP-Adresse selbst wird nicht gespeichert). Der "
		    "Zusammenhang eines Gesprächs wird 30 Minuten nach Ihrer letzten Nachricht "
		    "verworfen. Bitten Sie um einen Termin oder Rückruf, werden Name, "
		    "Telefonnummer, "
		    "E-Mail-Adresse und Anliegen, die Sie angeben, als Anfrage an den Betrieb "
		    "weitergegeben. Gespräche und Anfragen bleiben gespeichert, bis der Betrieb "
		    "sie "
		    "löscht, spätestens bis zur Löschung seines CarBot-Kontos. Rechtsgrundlage: "
		    "Art. 6 "
		    "Abs. 1 lit. b DSGVO bei Anfragen zu einem Auftrag, sonst Art. 6 Abs. 1 lit. f "
		    "DSGVO (Beantwortung Ihrer Fragen).");
		section(b, "Ihre Rechte",
		        "Sie können Auskunft über Ihre Daten, ihre Berichtigung, Löschung oder "
		        "Einschränkung verlangen, der Verarbeitung widersprechen und Ihre Daten in "
		        "einem "
		        "übertragbaren Format erhalten (Art. 15–21 DSGVO), schriftlich an die oben "
		        "genannte Adresse. Außerdem können Sie sich bei einer "
		        "Datenschutz-Aufsichtsbehörde "
		        "beschweren.");
	}
	if (extra && *extra) {
		buf_printf(b, "<h2>%s ", en ? "More from" : "Weitere Hinweise von");
		html_escape(b, name ? name : "");
		buf_puts(b, "</h2>\n<p>");
		html_escape(b, extra);
		buf_puts(b, "</p>\n");
	}
}
