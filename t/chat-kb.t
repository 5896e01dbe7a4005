# The owner's knowledge base (one per business): GET/PUT /api/v1/knowledge
# with every refusal, the version compare-and-set (also under a race), the
# FAQ phrasings, the fallback turns — and the engine answering from it:
# breaks, the asked day, holidays and closures, the right price for the right
# service, price kinds in the reply language, FAQ paraphrases in both
# languages, complaints, "am I talking to a bot?".
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use CarBot::Chat;
use CarBot::Auth;
use CarBot::Keys;
use POSIX ();

my $t = CarBot::Chat::server(chat => {cache_ms => 0});
my $o = CarBot::Chat::owner($t, tier => 'enterprise');
my $other = CarBot::Chat::owner($t, tier => 'enterprise');
my $o_key2 = CarBot::Keys::create($t, $o->{user}, domain => CarBot::Keys::domain());
my $URL = '/api/v1/knowledge';

sub put_kb { my ($body, $who) = @_; $t->put($URL, headers => ($who || $o)->{bearer}, json => $body) }
sub get_kb { my ($who) = @_; $t->get($URL, headers => ($who || $o)->{bearer}) }
sub ask {
	my ($msg, %x) = @_;
	my $who = delete $x{who} || $o;
	return CarBot::Chat::chat($t, $who, CarBot::Chat::session($t, $who), $msg, %x)->{json};
}
sub sqlv { $t->sql(@_)->[0][0] }

my @DAYS = qw(monday tuesday wednesday thursday friday saturday sunday);
my $break = [{open => '08:00', close => '12:30'}, {open => '13:30', close => '18:00'}];
my %weekly = map { $_ => $break } @DAYS[0 .. 4];
$weekly{wednesday} = [{open => '08:00', close => '12:00'}];
$weekly{saturday} = [{open => '09:00', close => '13:00'}];
$weekly{sunday} = [];
my $services = [
	{name => 'Reifenwechsel', category => 'Reifen', synonyms => ['Räderwechsel', 'tyre change', 'tire change'],
	 price_kind => 'fixed', price => 39, note => 'pro Satz'},
	{name => 'Reifeneinlagerung', category => 'Reifen', synonyms => ['tyre storage', 'Reifenhotel'],
	 price_kind => 'fixed', price => 69},
	{name => 'Inspektion', category => 'Wartung', synonyms => ['inspection', 'service'], price_kind => 'from', price => 149},
	{name => 'HU/AU', category => 'Prüfung', synonyms => ['TÜV', 'Hauptuntersuchung', 'MOT'], price_kind => 'fixed', price => 129.9},
	{name => 'Karosseriearbeiten', category => 'Karosserie', synonyms => ['Delle', 'dent', 'bodywork'], price_kind => 'on_request'},
];
my $faq = [
	{id => 'payment', question => {de => 'Kann ich mit Karte bezahlen?'}, answer => {de => 'Ja, mit EC- und Kreditkarte.', en => 'Yes, by debit or credit card.'},
	 phrasings => [{text => 'nehmt ihr visa', lang => 'de'}]},
	{question => {de => 'Habt ihr an Feiertagen geöffnet?'}, answer => {de => 'An Feiertagen ist geschlossen.'}},
	{question => {de => 'Gibt es einen Ersatzwagen?'}, answer => {de => 'Ja, wir haben zwei Leihwagen.', en => 'Yes, we have two courtesy cars.'}},
];

subtest 'GET before any PUT: a view of the landing page, version 0' => sub {
	my $r = get_kb();
	is $r->{status}, 200, '200';
	is $r->{json}{version}, 0, 'version 0';
	is $r->{json}{source}, 'landing', 'source landing';
	is_deeply [$r->{json}{services}, $r->{json}{faq}, $r->{json}{hours}{holidays}], [[], [], []], 'empty sections';
};

subtest 'PUT stores, ids are given, GET shows it; every key of the owner reads it' => sub {
	my $r = put_kb({hours => {weekly => \%weekly}, services => $services, faq => $faq,
	                greeting => {de => 'Moin! Was kann ich tun?', en => 'Hi! How can I help?'},
	                quick_replies => {de => ['Öffnungszeiten', 'Preise'], en => ['Opening hours']}});
	is $r->{status}, 200, 'PUT 200' or diag $r->{content};
	is $r->{json}{version}, 1, 'version 1';
	is $r->{json}{source}, 'knowledge', 'source knowledge';
	is $r->{json}{services}[0]{id}, 'reifenwechsel', 'an id from the name';
	is $r->{json}{faq}[0]{id}, 'payment', 'a given id kept';
	is $r->{json}{services}[3]{price}, 129.9, 'a price with decimals';
	ok !exists $r->{json}{services}[4]{price}, 'on_request has no price';
	is_deeply $r->{json}{hours}{weekly}{monday}, $break, 'ranges kept';
	is get_kb()->{json}{version}, 1, 'GET sees it';
	is get_kb($other)->{json}{version}, 0, 'another owner has their own';
	my $k2 = {%$o, key => $o_key2->{key}, key_id => $o_key2->{id}, domain => $o_key2->{domain},
	          origin => "https://$o_key2->{domain}"};
	like ask('Was kostet der Reifenwechsel?', who => $k2)->{response}, qr/39 €/, 'the second key answers from it too';
	like ask('Hallo')->{response}, qr/^Moin! Was kann ich tun\?$/, 'the owner\'s greeting';
	my $i = CarBot::Chat::init($t, $o)->{json};
	is $i->{config}{greeting_message}, 'Moin! Was kann ich tun?', 'init: the owner\'s greeting';
	is_deeply $i->{suggestions}, ['Öffnungszeiten', 'Preise'], 'init: the owner\'s quick replies';
	is CarBot::Chat::init($t, $o, config => {greeting_message => 'Page says hi'})->{json}{config}{greeting_message},
	   'Page says hi', 'the page\'s own greeting still wins';
};

subtest 'PUT replaces the sections it holds, keeps the others' => sub {
	my $r = put_kb({greeting => {de => 'Servus!'}});
	is $r->{status}, 200, '200';
	is $r->{json}{version}, 2, 'version 2';
	is scalar @{$r->{json}{services}}, 5, 'services kept';
	is $r->{json}{greeting}{de}, 'Servus!', 'greeting replaced';
	ok !exists $r->{json}{greeting}{en}, 'the whole section replaced';
};

subtest 'PUT refusals: types, limits, unknown fields, ranges, price kinds' => sub {
	my @bad = (
		[{foo => 1}, 'foo', 'unknown top-level field'],
		[{services => {}}, 'services', 'services not an array'],
		[{services => [{name => 'X', price_kind => 'fixed'}]}, 'services[0].price', 'fixed without price'],
		[{services => [{name => 'X', price_kind => 'on_request', price => 5}]}, 'services[0].price', 'on_request with a price'],
		[{services => [{name => 'X', price_kind => 'cheap', price => 5}]}, 'services[0].price_kind', 'unknown price kind'],
		[{services => [{name => 'X', price_kind => 'fixed', price => '5'}]}, 'services[0].price', 'price as a string'],
		[{services => [{name => 'X', price_kind => 'fixed', price => 5.555}]}, 'services[0].price', 'three decimals'],
		[{services => [{name => 'X', price_kind => 'fixed', price => -1}]}, 'services[0].price', 'negative'],
		[{services => [{name => 'A', price_kind => 'on_request'}, {name => 'a', price_kind => 'on_request'}]}, 'services[1].name', 'duplicate name'],
		[{services => [{name => 'x' x 201, price_kind => 'on_request'}]}, 'services[0].name', 'name too long'],
		[{services => [{name => 'X', price_kind => 'on_request', colour => 'red'}]}, 'services[0].colour', 'unknown field'],
		[{services => [map { {name => "S$_", price_kind => 'on_request'} } 1 .. 201]}, 'services', 'too many'],
		[{services => [{name => 'X', price_kind => 'on_request', synonyms => [('y') x 21]}]}, 'services[0].synonyms', 'too many synonyms'],
		[{services => [{id => 'Bad Id', name => 'X', price_kind => 'on_request'}]}, 'services[0].id', 'bad id'],
		[{hours => {weekly => {monday => [{open => '12:00', close => '08:00'}]}}}, 'hours.weekly.monday[0]', 'close before open'],
		[{hours => {weekly => {monday => [{open => '08:00', close => '13:00'}, {open => '12:00', close => '18:00'}]}}}, 'hours.weekly.monday[1]', 'overlap'],
		[{hours => {weekly => {monday => [{open => '8', close => '13:00'}]}}}, 'hours.weekly.monday[0]', 'not HH:MM'],
		[{hours => {weekly => {funday => []}}}, 'hours.weekly.funday', 'not a weekday'],
		[{hours => {holidays => [{date => '2026-02-30'}]}}, 'hours.holidays[0].date', 'impossible date'],
		[{hours => {closures => [{from => '2026-08-14', to => '2026-08-03'}]}}, 'hours.closures[0]', 'to before from'],
		[{faq => [{question => {}, answer => {de => 'x'}}]}, 'faq[0].question', 'a question in no language'],
		[{faq => [{question => {fr => 'x'}, answer => {de => 'x'}}]}, 'faq[0].question.fr', 'an unknown language'],
		[{faq => [{question => {de => 'x'}, answer => {de => 'x' x 2001}}]}, 'faq[0].answer.de', 'answer too long'],
		[{faq => [{question => {de => 'x'}, answer => {de => 'y'}, phrasings => [{text => 'z', lang => 'fr'}]}]}, 'faq[0].phrasings[0].lang', 'phrasing language'],
		[{greeting => {de => 'x' x 501}}, 'greeting.de', 'greeting too long'],
		[{quick_replies => {de => [('x') x 7]}}, 'quick_replies.de', 'too many quick replies'],
		[{version => 'abc'}, 'version', 'version not an integer'],
	);
	for my $b (@bad) {
		my $r = put_kb($b->[0]);
		is $r->{status}, 400, "$b->[2]: 400";
		ok((grep { $_->{field} eq $b->[1] } @{$r->{json}{error}{details} || []}), "$b->[2]: names $b->[1]")
			or diag $r->{content};
	}
	is get_kb()->{json}{version}, 2, 'nothing stored';
	my $r = $t->req('PUT', $URL, headers => {%{$o->{bearer}}, 'Content-Type' => 'application/json'}, body => '{"faq": [');
	is $r->{status}, 400, 'malformed JSON: 400';
	$r = $t->req('PUT', $URL, headers => {%{$o->{bearer}}, 'Content-Type' => 'application/json'},
	             body => '{"greeting":{"de":"' . ('x' x 300000) . '"}}');
	is $r->{status}, 413, 'over 256 KiB: 413';
};

subtest 'bearer refusals: none, expired, tampered' => sub {
	is $t->get($URL)->{status}, 401, 'GET without a token';
	is $t->put($URL, json => {})->{status}, 401, 'PUT without a token';
	my $u = $o->{user};
	my $expired = jwt({alg => 'HS256', typ => 'JWT'},
	                  CarBot::Auth::claims($u->{id}, $u->{email}, iat => time - 3600, exp => time - 60), $SECRET);
	is $t->get($URL, headers => bearer($expired))->{status}, 401, 'expired';
	my $forged = jwt({alg => 'HS256', typ => 'JWT'}, CarBot::Auth::claims($u->{id}, $u->{email}), 'wrong-secret' x 4);
	is $t->put($URL, headers => bearer($forged), json => {greeting => {de => 'hacked'}})->{status}, 401, 'forged';
	is $t->get('/api/v1/knowledge/fallbacks', headers => bearer($expired))->{status}, 401, 'fallbacks too';
	is get_kb()->{json}{greeting}{de}, 'Servus!', 'unchanged';
};

subtest 'version: compare-and-set, also when two writers race' => sub {
	my $v = get_kb()->{json}{version};
	my $r = put_kb({version => $v - 1, greeting => {de => 'alt'}});
	is $r->{status}, 409, 'a stale version: 409';
	is $r->{json}{error}{code}, 'version_conflict', 'version_conflict';
	is $r->{json}{error}{details}[0]{current}, $v, 'tells the current version';
	is put_kb({version => 0, greeting => {de => 'x'}}, $o)->{status}, 409, 'version 0 when one exists: 409';
	$r = put_kb({version => $v, greeting => {de => 'Servus!'}});
	is $r->{status}, 200, 'the current version: 200';
	is $r->{json}{version}, $v + 1, 'bumped';
	# ten writers with the same version at once: exactly one wins
	my $cur = $v + 1;
	my @pids;
	for my $i (1 .. 10) {
		my $pid = fork // die;
		if (!$pid) {
			my $x = $t->put($URL, headers => $o->{bearer}, json => {version => $cur, greeting => {de => "w$i"}});
			POSIX::_exit($x->{status} == 200 ? 0 : $x->{status} == 409 ? 1 : 2);
		}
		push @pids, $pid;
	}
	my %codes;
	for (@pids) { waitpid $_, 0; $codes{$? >> 8}++ }
	is $codes{0}, 1, 'one writer stored';
	is $codes{1}, 9, 'nine got 409';
	is get_kb()->{json}{version}, $cur + 1, 'one version more';
	is put_kb({version => 0, greeting => {de => 'first'}}, $other)->{status}, 200, 'version 0 creates';
	put_kb({greeting => {de => 'Servus!'}});
};

subtest 'hours: breaks, the asked day, holidays and closures' => sub {
	my $now = $t->sql(q{SELECT extract(isodow FROM l)::int - 1, extract(hour FROM l)::int * 60 + extract(minute FROM l)::int,
	                    to_char(l::date + 2, 'YYYY-MM-DD'), to_char(l::date, 'YYYY-MM-DD'), to_char(l::date + 2, 'DD.MM.')
	                    FROM (SELECT now() AT TIME ZONE 'Europe/Berlin' AS l) x})->[0];
	my ($dow, $min, $in2, $today, $in2de) = @$now;
	my $r = ask('Wann habt ihr geöffnet?');
	like $r->{response}, qr/Mo–Di 08:00–12:30 und 13:30–18:00, Mi 08:00–12:00, Do–Fr 08:00–12:30 und 13:30–18:00, Sa 09:00–13:00/,
	     'the week with its breaks and the half day';
	like ask('Habt ihr am Sonntag offen?')->{response}, qr/^(?:Am Sonntag, \d\d\.\d\d\.,|Morgen|Heute) haben wir geschlossen\.$/,
	     'Sunday: closed (said as tomorrow/today when it is)';
	my $tomorrow = ($dow + 1) % 7;
	my $exp = $tomorrow == 6 ? qr/^Morgen haben wir geschlossen/ : $tomorrow == 5 ? qr/^Morgen haben wir 09:00–13:00 geöffnet/
	        : $tomorrow == 2 ? qr/^Morgen haben wir 08:00–12:00 geöffnet/ : qr/^Morgen haben wir 08:00–12:30 und 13:30–18:00 geöffnet/;
	like ask('Wann macht ihr morgen auf?')->{response}, $exp, 'tomorrow: only that day';
	like ask('are you open on saturday?')->{response}, qr/^(?:On Saturday, \d\d\/\d\d,|Tomorrow|Today) we are open 09:00–13:00\.$/, 'in English';
	# a holiday the day after tomorrow, a closure today with the owner's note
	put_kb({hours => {weekly => \%weekly, holidays => [{date => $in2, name => 'Tag der Werkstatt'}],
	                  closures => [{from => $today, to => $today, note => 'Betriebsausflug'}]}});
	like ask('Habt ihr übermorgen geöffnet?')->{response}, qr/^Am \w+, \Q$in2de\E, haben wir geschlossen \(Tag der Werkstatt\)\.$/,
	     'a holiday with its name';
	$r = ask('Habt ihr heute offen?');
	like $r->{response}, qr/^Heute haben wir geschlossen \(Betriebsausflug\)\./, 'a closure with the owner\'s note';
	my $init = CarBot::Chat::init($t, $o)->{json};
	ok !$init->{business}{open_now}, 'not open during a closure';
	# no note: no reason invented
	put_kb({hours => {weekly => \%weekly, closures => [{from => $today, to => $today}]}});
	like ask('Habt ihr heute offen?')->{response}, qr/^Heute haben wir geschlossen\./, 'closed today';
	unlike ask('Habt ihr heute offen?')->{response}, qr/\(|wegen|because/, 'and no reason made up';
	# open now is false inside a break (hours built around the current minute)
	SKIP: {
		skip 'too close to midnight for a break around now', 3 if $min < 40 || $min > 1400;
		my $f = sub { sprintf '%02d:%02d', int($_[0] / 60), $_[0] % 60 };
		my $day = [{open => '00:00', close => $f->($min - 30)}, {open => $f->($min + 30), close => '24:00'}];
		put_kb({hours => {weekly => {map { $_ => $day } @DAYS}}});
		my $i = CarBot::Chat::init($t, $o)->{json};
		is $i->{business}{open_now}, JSON::PP::false, 'closed in the break';
		is $i->{business}{next_open}{time}, $f->($min + 30), 'opens again after it';
		like ask('Habt ihr gerade offen?')->{response}, qr/Gerade ist geschlossen – wir öffnen heute um \Q@{[$f->($min + 30)]}\E/,
		     'the answer says so';
	}
	put_kb({hours => {weekly => \%weekly}});
};

subtest 'services: the right price for the right service, kinds, languages' => sub {
	like ask('Was kostet ein Reifenwechsel?')->{response}, qr/^Reifenwechsel kostet bei uns 39 € \(pro Satz\)\./, 'tyre change';
	my $r = ask('Was kostet bei euch die Reifeneinlagerung?')->{response};
	like $r, qr/^Reifeneinlagerung kostet bei uns 69 €\./, 'tyre storage';
	unlike $r, qr/39/, 'not the tyre change price';
	like ask('reifen einlagern preis?')->{response}, qr/Reifeneinlagerung kostet bei uns 69 €/, 'written apart';
	$r = ask('Was kostet der TÜV?')->{response};
	like $r, qr/^HU\/AU kostet bei uns 129,90 €\./, 'TÜV is HU/AU, not the inspection';
	unlike $r, qr/149/, 'no inspection price';
	like ask('How much is the MOT?')->{response}, qr/^HU\/AU costs 129\.90 € with us\./, 'English decimals';
	like ask('Was kostet eine Inspektion?')->{response}, qr/Inspektion kostet bei uns ab 149 €/, 'from-price in German';
	like ask('how much is an inspection')->{response}, qr/Inspektion costs from 149 € with us/, 'from-price in English';
	$r = ask('How much does it cost to fix a dent?')->{response};
	like $r, qr/The price for Karosseriearbeiten is available on request\. Shall someone from our team call you back\?/,
	     'on request, in English';
	unlike $r, qr/auf Anfrage|€|depends/, 'no German, no price, no invented reason';
	$r = ask('Was kosten Reifenwechsel und HU?')->{response};
	like $r, qr/Reifenwechsel kostet bei uns 39 €.*HU\/AU kostet bei uns 129,90 €/, 'two services named: both';
	$r = ask('Schicken Sie mir Ihre Preisliste')->{response};
	like $r, qr/^Unsere Preise: Reifenwechsel: 39 €; Reifeneinlagerung: 69 €; Inspektion: ab 149 €; HU\/AU: 129,90 €; Karosseriearbeiten: auf Anfrage/,
	     'the price list';
	like ask('send me your price list')->{response}, qr/^Our prices: .*Karosseriearbeiten: on request/, 'in English';
	$r = ask('Was kostet ein Zahnriemenwechsel?')->{response};
	unlike $r, qr/\d+ ?€/, 'an unlisted service: no price';
	like $r, qr/zurückrufen/, 'a callback instead';
};

subtest 'the key override: its price text over the business price for that key only' => sub {
	my $r = $t->put("/api/v1/client-keys/$o->{key_id}/knowledge", headers => $o->{bearer},
	                json => {prices => [{service => 'Reifenwechsel', price => '35 € (Aktion)'}]});
	is $r->{status}, 200, 'override stored';
	like ask('Was kostet ein Reifenwechsel?')->{response}, qr/Reifenwechsel kostet bei uns 35 € \(Aktion\)/, 'this key: the override';
	my $k2 = {%$o, key => $o_key2->{key}, key_id => $o_key2->{id}, domain => $o_key2->{domain},
	          origin => "https://$o_key2->{domain}"};
	like ask('Was kostet ein Reifenwechsel?', who => $k2)->{response}, qr/39 €/, 'the other key: the business price';
	$t->put("/api/v1/client-keys/$o->{key_id}/knowledge", headers => $o->{bearer}, json => {prices => []});
};

subtest 'FAQ: paraphrases, phrasings, English on a German entry; no hijacking' => sub {
	like ask('Kann man bei euch mit Karte zahlen?')->{response}, qr/EC- und Kreditkarte/, 'a paraphrase';
	like ask('nehmt ihr visa?')->{response}, qr/EC- und Kreditkarte/, 'a phrasing';
	like ask('Gibt es bei euch einen Ersatzwagen während der Reparatur?')->{response}, qr/zwei Leihwagen/, 'longer question';
	my $r = ask('Wann habt ihr geöffnet?')->{response};
	like $r, qr/Unsere Öffnungszeiten/, 'a holiday entry does not answer "when are you open"';
	unlike $r, qr/Feiertagen/, 'not the FAQ';
	like ask('Habt ihr an Feiertagen geöffnet?')->{response}, qr/An Feiertagen ist geschlossen/, 'its own question';
};

subtest 'complaints, bots, breakdowns' => sub {
	my $r = ask('Ich bin sehr unzufrieden, das Auto ist schon wieder kaputt!');
	is $r->{intent}, 'complaint', 'complaint';
	like $r->{response}, qr/tut mir leid.*zurückrufen/s, 'apologises, offers a callback';
	$r = ask('Am I talking to a bot?');
	is $r->{intent}, 'bot', 'bot question';
	like $r->{response}, qr/digital assistant.*not a person.*call you back/s, 'honest, offers a human';
	$r = ask('Bist du ein Mensch oder eine KI?');
	like $r->{response}, qr/digitale Assistent.*kein Mensch/s, 'in German';
	$r = ask('Platten auf der Autobahn, was soll ich tun?');
	is $r->{intent}, 'emergency', 'a flat on the motorway is an emergency';
	like $r->{response}, qr/Warnblinker.*112/s, 'safety first';
	is ask('smoke coming out of the engine')->{intent}, 'emergency', 'smoke';
};

subtest 'scoring quirks of issue 13 stay fixed' => sub {
	my $r = ask('Repariert ihr auch Motorräder?');
	unlike $r->{response}, qr/Ja, Reifen|Reifenwechsel kostet/, 'a motorcycle is not a tyre';
	isnt ask('How do I remove the hubcap?')->{intent}, 'opening_hours', '"remove" is not "open"';
	isnt ask('What do you think about electric cars?')->{intent}, 'thanks', '"think" is not "thank"';
	is ask('Wie teuer ist ein Ölwechsel mit Filter?')->{intent}, 'price', '"teuer" is not "Feuer"';
	is ask('can you call me back tomorrow')->{intent}, 'callback', 'call me back';
	is ask('Can I drop it off on Monday?')->{intent}, 'appointment', 'drop it off';
	is ask('Rufen Sie mich bitte morgen zurück')->{intent}, 'callback', 'a separable verb';
	is ask('hours?')->{lang}, 'en', 'a short English message gets English on a German page';
};

subtest 'fallback turns: most frequent first, per key, paging, refusals' => sub {
	my $fb = '/api/v1/knowledge/fallbacks';
	my $f = CarBot::Chat::owner($t, tier => 'enterprise');
	for my $m ('Habt ihr einen Waschsalon?', 'habt ihr einen waschsalon', 'Habt ihr einen Waschsalon!!', 'Spielt ihr Schach?') {
		my $r = ask($m, who => $f);
		is $r->{intent}, 'fallback', "\"$m\" falls back";
		unlike $r->{response}, qr/€/, 'no price in a fallback';
	}
	my $r = $t->get($fb, headers => $f->{bearer});
	is $r->{status}, 200, '200';
	is $r->{json}{fallbacks}[0]{text}, 'habt ihr einen waschsalon', 'normalised text, most frequent first';
	is $r->{json}{fallbacks}[0]{count}, 3, 'counted';
	is $r->{json}{fallbacks}[0]{lang}, 'de', 'language';
	is_deeply $r->{json}{fallbacks}[0]{key_ids}, [$f->{key_id}], 'the key';
	like $r->{json}{fallbacks}[0]{example}, qr/Waschsalon/, 'an original message';
	is $r->{json}{fallbacks}[1]{text}, 'spielt ihr schach', 'then the rarer one';
	is $r->{json}{total}, 2, 'total';
	is $t->get($fb, headers => $other->{bearer})->{json}{total}, 0, 'another owner sees none of them';
	$r = $t->get("$fb?limit=1", headers => $f->{bearer});
	is scalar @{$r->{json}{fallbacks}}, 1, 'limit 1';
	is $r->{json}{next_offset}, 1, 'next offset';
	$r = $t->get("$fb?limit=1&offset=1", headers => $f->{bearer});
	is $r->{json}{fallbacks}[0]{text}, 'spielt ihr schach', 'the next page';
	is $r->{json}{next_offset}, undef, 'the last page';
	is $t->get("$fb?key=$other->{key_id}", headers => $f->{bearer})->{status}, 404, 'another owner\'s key: 404';
	is $t->get("$fb?key=nope", headers => $f->{bearer})->{status}, 404, 'a malformed key: 404';
	is $t->get("$fb?key=$f->{key_id}", headers => $f->{bearer})->{json}{total}, 2, 'own key filter';
	is $t->get("$fb?limit=0", headers => $f->{bearer})->{status}, 400, 'limit 0: 400';
	is $t->get("$fb?offset=-1", headers => $f->{bearer})->{status}, 400, 'offset -1: 400';
	is $t->get("$fb?from=yesterday", headers => $f->{bearer})->{status}, 400, 'bad from: 400';
	is $t->get("$fb?from=2026-02-30", headers => $f->{bearer})->{status}, 400, 'impossible date: 400';
	is $t->get("$fb?from=2999-01-01", headers => $f->{bearer})->{json}{total}, 0, 'from in the future: none';
};

subtest 'adding a phrasing to an FAQ entry; refusals; then it answers' => sub {
	my $p = '/api/v1/knowledge/faq/ersatzwagen/phrasings';
	my $kb = get_kb()->{json};
	my ($id) = map { $_->{id} } grep { $_->{question}{de} =~ /Ersatzwagen/ } @{$kb->{faq}};
	is $id, 'gibt-es-einen-ersatzwagen', 'the entry\'s id';
	$p = "/api/v1/knowledge/faq/$id/phrasings";
	isnt ask('Habt ihr einen Waschsalon?')->{response}, 'Ja, wir haben zwei Leihwagen.', 'not answered before';
	my $r = $t->post($p, headers => $o->{bearer}, json => {text => 'Habt ihr einen Waschsalon?'});
	is $r->{status}, 201, '201' or diag $r->{content};
	is $r->{json}{faq}{phrasings}[-1]{text}, 'Habt ihr einen Waschsalon?', 'appended';
	is $r->{json}{faq}{phrasings}[-1]{lang}, 'de', 'language detected';
	is $r->{json}{version}, $kb->{version} + 1, 'version bumped';
	like ask('habt ihr einen waschsalon')->{response}, qr/zwei Leihwagen/, 'now it answers';
	$r = $t->post($p, headers => $o->{bearer}, json => {text => 'habt ihr einen WASCHSALON'});
	is $r->{status}, 409, 'the same phrasing again: 409';
	is $r->{json}{error}{code}, 'duplicate_phrasing', 'duplicate_phrasing';
	is $t->post($p, headers => $o->{bearer}, json => {text => 'x', version => 1})->{status}, 409, 'stale version: 409';
	is $t->post($p, headers => $o->{bearer}, json => {})->{status}, 400, 'no text: 400';
	is $t->post($p, headers => $o->{bearer}, json => {text => 5})->{status}, 400, 'text a number: 400';
	is $t->post($p, headers => $o->{bearer}, json => {text => 'x' x 301})->{status}, 400, 'too long: 400';
	is $t->post($p, headers => $o->{bearer}, json => {text => 'ok', lang => 'fr'})->{status}, 400, 'bad lang: 400';
	is $t->post($p, headers => $o->{bearer}, json => {text => 'ok', extra => 1})->{status}, 400, 'unknown field: 400';
	is $t->post('/api/v1/knowledge/faq/nope/phrasings', headers => $o->{bearer}, json => {text => 'x'})->{status}, 404,
	   'unknown entry: 404';
	is $t->post($p, headers => $other->{bearer}, json => {text => 'x y'})->{status}, 404, 'another owner: 404';
	is $t->post($p, json => {text => 'x y'})->{status}, 401, 'no token: 401';
	for my $i (2 .. 30) { $t->post($p, headers => $o->{bearer}, json => {text => "frage nummer $i"}) }
	$r = $t->post($p, headers => $o->{bearer}, json => {text => 'eine zu viel'});
	is $r->{status}, 400, 'the 31st: 400';
	my $n = scalar @{$t->get($URL, headers => $o->{bearer})->{json}{faq}[2]{phrasings}};
	is $n, 30, 'thirty kept';
	$r = $t->del("$p/0", headers => $o->{bearer});
	is $r->{status}, 200, 'DELETE 200';
	is scalar @{$r->{json}{faq}{phrasings}}, 29, 'one less';
	is $t->del("$p/99", headers => $o->{bearer})->{status}, 404, 'no such index: 404';
	is $t->del("$p/abc", headers => $o->{bearer})->{status}, 404, 'not an index: 404';
};

done_testing;
