# The built-in engine's intents on German and English messages, typos and
# umlaut spellings included, through the widget API: each message in a
# session of its own; the response says the intent and language it found,
# and the stored visitor message carries the same in its metadata.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Chat;

my $t = CarBot::Chat::server();
my $o = CarBot::Chat::owner($t, env => 'test', domain => 'localhost');
$o->{origin} = 'http://localhost:3000';

# [message, intent, language]
my @table = (
	['Hallo', 'greeting', 'de'],
	['Guten Tag!', 'greeting', 'de'],
	['Moin moin', 'greeting', 'de'],
	['Hello there', 'greeting', 'en'],
	['Good morning', 'greeting', 'en'],
	['Wie sind eure Öffnungszeiten?', 'opening_hours', 'de'],
	['oeffnungszeiten?', 'opening_hours', 'de'],
	['offnungszeiten bitte', 'opening_hours', 'de'],
	['öfnungszeiten', 'opening_hours', 'de'],
	['Öffnungszeitn', 'opening_hours', 'de'],
	['Habt ihr samstags geöffnet?', 'opening_hours', 'de'],
	['Wann habt ihr heute offen?', 'opening_hours', 'de'],
	['What are your opening hours?', 'opening_hours', 'en'],
	['Are you open on Saturday?', 'opening_hours', 'en'],
	['when do you close today', 'opening_hours', 'en'],
	['Ich möchte einen Termin vereinbaren', 'appointment', 'de'],
	['Termn für nächste Woche?', 'appointment', 'de'],
	['Kann ich einen Termin buchen?', 'appointment', 'de'],
	['I would like to book an appointment', 'appointment', 'en'],
	['Can I schedule an apointment for my car?', 'appointment', 'en'],
	['Was kostet ein Ölwechsel?', 'price', 'de'],
	['Was kostet ein Oelwechsel', 'price', 'de'],
	['Wie viel kostet der TÜV?', 'price', 'de'],
	['Preis für Reifenwechsel', 'price', 'de'],
	['Kostenvoranschlag für Bremsen', 'price', 'de'],
	['How much is an oil change?', 'price', 'en'],
	['What does a brake job cost?', 'price', 'en'],
	['Can I get a quote for new tyres?', 'price', 'en'],
	['Macht ihr auch HU/AU?', 'services', 'de'],
	['Bietet ihr Klimaservice an?', 'services', 'de'],
	['Welche Leistungen habt ihr?', 'services', 'de'],
	['Wechselt ihr Winterreifen?', 'services', 'de'],
	['Meine Windschutzscheibe hat einen Steinschlag', 'services', 'de'],
	['Die Motorkontrollleuchte leuchtet', 'services', 'de'],
	['Do you do air conditioning service?', 'services', 'en'],
	['Do you offer diagnostics?', 'services', 'en'],
	['Wo seid ihr?', 'location', 'de'],
	['Wie ist eure Adresse?', 'location', 'de'],
	['Anfahrt zur Werkstatt', 'location', 'de'],
	['Where are you located?', 'location', 'en'],
	['How do I get directions to you?', 'location', 'en'],
	['Wie ist eure Telefonnummer?', 'contact', 'de'],
	['Kann ich euch per Email erreichen?', 'contact', 'de'],
	['What is your phone number?', 'contact', 'en'],
	['How can I contact you?', 'contact', 'en'],
	['Mein Auto springt nicht an, ich brauche Abschleppen!', 'emergency', 'de'],
	['Panne auf der Autobahn', 'emergency', 'de'],
	['Abschlepdienst bitte', 'emergency', 'de'],
	['I had a breakdown, need towing', 'emergency', 'en'],
	['My car broke down on the highway', 'emergency', 'en'],
	['Bitte um Rückruf', 'callback', 'de'],
	['Rueckruf bitte', 'callback', 'de'],
	['Kann mich ein Mitarbeiter zurückrufen?', 'callback', 'de'],
	['Please call me back', 'callback', 'en'],
	['I want to talk to a real person', 'callback', 'en'],
	['Danke!', 'thanks', 'de'],
	['Vielen Dank für die Hilfe', 'thanks', 'de'],
	['Thanks a lot', 'thanks', 'en'],
	['Tschüss', 'bye', 'de'],
	['Auf Wiedersehen', 'bye', 'de'],
	['Goodbye', 'bye', 'en'],
	['Bye, see you', 'bye', 'en'],
	['Blaubeerkuchen mit Sahne', 'fallback', 'de'],
	['The weather is lovely', 'fallback', 'en'],
);

cmp_ok scalar @table, '>=', 60, 'at least 60 messages in the table';

my $n = 0;
for my $row (@table) {
	my ($msg, $intent, $lang) = @$row;
	my $sid = sprintf 'intent%08d%s', ++$n, 'x' x 8;
	my $r = CarBot::Chat::chat($t, $o, $sid, $msg);
	subtest "\"$msg\" is $intent ($lang)" => sub {
		is $r->{status}, 200, 'answered';
		is $r->{json}{intent}, $intent, 'intent';
		is $r->{json}{lang}, $lang, 'language';
		ok length($r->{json}{response} // '') > 10, 'a real answer';
		my $meta = $t->sql("SELECT m.metadata->>'intent', m.metadata->>'lang' FROM messages m "
		                   . "JOIN conversations c ON c.id = m.conversation_id "
		                   . "WHERE c.session_id = :'p1' AND m.role = 'user'", $sid);
		is_deeply $meta, [[$intent, $lang]], 'stored with the message';
	};
}

subtest 'the page locale decides when the words do not' => sub {
	my $r = CarBot::Chat::chat($t, $o, 'localeen000001', 'TÜV?', context => {locale => 'en-GB'});
	is $r->{json}{lang}, 'de', 'an umlaut says German';
	$r = CarBot::Chat::chat($t, $o, 'localeen000002', '???', context => {locale => 'en-GB'});
	is $r->{json}{lang}, 'en', 'nothing to go by: the page locale (en)';
	$r = CarBot::Chat::chat($t, $o, 'localede000003', '???', context => {locale => 'de-DE'});
	is $r->{json}{lang}, 'de', 'nothing to go by: the page locale (de)';
	$r = CarBot::Chat::chat($t, $o, 'localexx000004', '???');
	is $r->{json}{lang}, 'de', 'no locale: German';
};

subtest 'suggestions fit the intent and language' => sub {
	my $r = CarBot::Chat::chat($t, $o, 'suggest0000001', 'What are your opening hours?');
	ok grep({ $_ eq 'Book an appointment' } @{$r->{json}{suggestions}}), 'hours (en): book';
	$r = CarBot::Chat::chat($t, $o, 'suggest0000002', 'Was kostet ein Ölwechsel?');
	ok grep({ $_ eq 'Rückruf anfordern' } @{$r->{json}{suggestions}}), 'price (de): callback';
	$r = CarBot::Chat::chat($t, $o, 'suggest0000003', 'Tschüss');
	is_deeply $r->{json}{suggestions}, [], 'bye: none';
};

done_testing;
