# Leads: collected over several turns with each answer checked, stored with
# the conversation, and listed / updated by their owner only.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Chat;

my $t = CarBot::Chat::server();
my $o = CarBot::Chat::owner($t, tier => 'enterprise');

sub say_all {
	my ($sid, @msgs) = @_;
	return map { CarBot::Chat::chat($t, $o, $sid, $_) } @msgs;
}

subtest 'an appointment over six turns, each answer checked' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my @r = say_all($sid, 'Ich hätte gern einen Termin für einen Ölwechsel',
	                '1234',                      # not a name
	                'Ich heiße Erika Mustermann',
	                'weiß ich nicht',            # not a phone or e-mail
	                '+49 (170) 123-4567',
	                'Opel Astra, 2015',          # the service was named at the start: no question
	                'irgendwann',                # not a day
	                'am Donnerstag');
	like $r[0]{json}{response}, qr/Name/, 'asks for the name';
	like $r[1]{json}{response}, qr/nicht nach einem Namen/, 'refuses 1234 as a name';
	like $r[2]{json}{response}, qr/Telefonnummer oder E-Mail/, 'asks for phone or e-mail';
	like $r[3]{json}{response}, qr/6–20 Ziffern/, 'refuses a non-number';
	like $r[4]{json}{response}, qr/Fahrzeug/, 'asks for the vehicle';
	like $r[5]{json}{response}, qr/Tag/, 'service known: asks for the day';
	like $r[6]{json}{response}, qr/Wochentag/, 'refuses a non-day';
	like $r[7]{json}{response}, qr/Danke, Erika Mustermann!.*Donnerstag.*\+49 \(170\) 123-4567/, 'confirms';
	my $l = $t->sql("SELECT client_key_id, conversation_id, kind, name, contact, vehicle, service, preferred_day, status "
	                . "FROM leads WHERE client_key_id = :'p1'", $o->{key_id});
	is scalar @$l, 1, 'one lead';
	# a weekday is stored as the date of its next occurrence (the business's time zone)
	my $thu = $t->sql(q{SELECT (d + ((3 - (extract(isodow FROM d)::int - 1) + 6) % 7 + 1))::text
	                    FROM (SELECT (now() AT TIME ZONE 'Europe/Berlin')::date AS d) x})->[0][0];
	is_deeply $l->[0], [$o->{key_id}, $r[7]{json}{conversation_id}, 'appointment', 'Erika Mustermann',
	                    '+49 (170) 123-4567', 'Opel Astra, 2015', 'Ölwechsel', $thu, 'new'], 'its fields';
	my $after = CarBot::Chat::chat($t, $o, $sid, 'Danke');
	is $after->{json}{intent}, 'thanks', 'the flow is over';
	is $t->sql("SELECT count(*) FROM leads")->[0][0], 1, 'still one lead';
};

subtest 'a callback in English with an e-mail and a date' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my @r = say_all($sid, 'Please call me back', 'John Smith', 'my mail is john@example.org', '2030-05-17');
	like $r[0]{json}{response}, qr/call you back/, 'English';
	like $r[2]{json}{response}, qr/Which day suits you for the call/, 'a callback asks no vehicle or service';
	like $r[3]{json}{response}, qr/Thank you, John Smith/, 'confirmed in four turns';
	my $l = $t->sql("SELECT kind, contact, vehicle, service, preferred_day FROM leads WHERE name = 'John Smith'");
	is_deeply $l, [['callback', 'john@example.org', undef, undef, '2030-05-17']], 'stored';
};

subtest 'cancelling, and an emergency in the middle' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my @r = say_all($sid, 'Termin bitte', 'Panne! Ich brauche einen Abschleppdienst', 'Max Muster', 'abbrechen');
	is $r[1]{json}{intent}, 'emergency', 'an emergency is answered as one';
	like $r[2]{json}{response}, qr/Telefonnummer/, 'the flow goes on after it';
	like $r[3]{json}{response}, qr/verworfen/, 'cancelled';
	is $t->sql("SELECT count(*) FROM leads WHERE name = 'Max Muster'")->[0][0], 0, 'no lead';
};

subtest 'a question inside the flow is answered, not stored; the pending question comes again' => sub {
	my $o2 = CarBot::Chat::owner($t, tier => 'enterprise');   # its own owner: the leads API test counts $o's
	my $sid = CarBot::Chat::session($t, $o2);
	my @r = map { CarBot::Chat::chat($t, $o2, $sid, $_) } ('Ich möchte einen Termin', 'Wann habt ihr geöffnet?', 'Was kostet ein Ölwechsel?',
	                'Erika Muster', 'Panne auf der Autobahn!', '0170 1234567', 'VW Golf', 'Inspektion', 'morgen');
	unlike $r[1]{json}{response}, qr/Telefonnummer oder E-Mail/, 'a question at the name step is not the name';
	like $r[1]{json}{response}, qr/Zurück zu Ihrer Anfrage: .*Wie ist Ihr Name\?/s, 'the name is asked again';
	like $r[2]{json}{response}, qr/Zurück zu Ihrer Anfrage: .*Name/s, 'and again after a price question';
	like $r[3]{json}{response}, qr/Telefonnummer oder E-Mail/, 'then the name is taken';
	like $r[4]{json}{response}, qr/112.*Zurück zu Ihrer Anfrage: .*Telefonnummer/s,
	     'an emergency is answered, then the pending question';
	like $r[8]{json}{response}, qr/Danke, Erika Muster!.*morgen \(\d\d\.\d\d\.\d{4}\)/, 'confirmed with the date';
	my $tomorrow = $t->sql(q{SELECT ((now() AT TIME ZONE 'Europe/Berlin')::date + 1)::text})->[0][0];
	my $l = $t->sql("SELECT name, contact, preferred_day FROM leads WHERE name = 'Erika Muster'");
	is_deeply $l, [['Erika Muster', '0170 1234567', $tomorrow]], '"morgen" stored as a date';
};

subtest 'phone, e-mail and day checks' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my @r = say_all($sid, 'Termin', 'Anna', '12345', '123456789012345678901', 'a@b', '030/1234567');
	like $r[2]{json}{response}, qr/Ziffern/, '5 digits refused';
	like $r[3]{json}{response}, qr/Ziffern/, '21 digits refused';
	like $r[4]{json}{response}, qr/Ziffern/, 'a@b refused';
	like $r[5]{json}{response}, qr/Fahrzeug/, '030/1234567 accepted';
};

my $other = CarBot::Chat::owner($t, tier => 'enterprise');
{
	my $sid = CarBot::Chat::session($t, $other);
	CarBot::Chat::chat($t, $other, $sid, $_) for 'Termin für Reifenwechsel', 'Olaf', 'olaf@example.de', 'Golf', 'Freitag';
}

subtest 'GET /api/v1/leads: own leads only, filters, pagination' => sub {
	my $r = $t->get('/api/v1/leads', headers => $o->{bearer});
	is $r->{status}, 200, 'status 200';
	is scalar @{$r->{json}{leads}}, 2, 'the owner\'s two leads';
	ok !grep({ $_->{name} eq 'Olaf' } @{$r->{json}{leads}}), 'not another owner\'s';
	is $r->{json}{leads}[0]{name}, 'John Smith', 'newest first';
	$r = $t->get('/api/v1/leads?limit=1', headers => $o->{bearer});
	is scalar @{$r->{json}{leads}}, 1, 'limit 1';
	ok $r->{json}{next_cursor}, 'a next cursor';
	my $r2 = $t->get("/api/v1/leads?limit=1&cursor=$r->{json}{next_cursor}", headers => $o->{bearer});
	is $r2->{json}{leads}[0]{name}, 'Erika Mustermann', 'the next page';
	ok !defined $r2->{json}{next_cursor}, 'the last page';
	is $t->get('/api/v1/leads?cursor=garbage!', headers => $o->{bearer})->{status}, 400, 'bad cursor: 400';
	is $t->get('/api/v1/leads?limit=101', headers => $o->{bearer})->{status}, 400, 'limit 101: 400';
	is $t->get('/api/v1/leads?status=lost', headers => $o->{bearer})->{status}, 400, 'unknown status: 400';
	is $t->get("/api/v1/leads?key=$other->{key_id}", headers => $o->{bearer})->{status}, 404,
	   'another owner\'s key: 404';
	$r = $t->get("/api/v1/leads?key=$o->{key_id}&status=new", headers => $o->{bearer});
	is scalar @{$r->{json}{leads}}, 2, 'filter by key and status';
	is $t->get('/api/v1/leads')->{status}, 401, 'no token: 401';
};

subtest 'PATCH /api/v1/leads/{id}: status only, own leads only' => sub {
	my $id = $t->sql("SELECT id FROM leads WHERE name = 'John Smith'")->[0][0];
	my $r = $t->patch("/api/v1/leads/$id", headers => $o->{bearer}, json => {status => 'contacted'});
	is $r->{status}, 200, 'status 200';
	is $r->{json}{lead}{status}, 'contacted', 'contacted';
	is $t->get('/api/v1/leads?status=contacted', headers => $o->{bearer})->{json}{leads}[0]{id}, $id,
	   'filter by status';
	is $t->patch("/api/v1/leads/$id", headers => $o->{bearer}, json => {status => 'won'})->{status}, 400,
	   'unknown status: 400';
	is $t->patch("/api/v1/leads/$id", headers => $o->{bearer}, json => {name => 'X'})->{status}, 400,
	   'other fields: 400';
	is $t->patch("/api/v1/leads/$id", headers => $other->{bearer}, json => {status => 'closed'})->{status},
	   404, 'another owner: 404';
	is $t->patch('/api/v1/leads/not-a-uuid', headers => $o->{bearer}, json => {status => 'closed'})->{status},
	   404, 'not an id: 404';
	is $t->sql("SELECT status FROM leads WHERE id = :'p1'", $id)->[0][0], 'contacted', 'unchanged by refusals';
};

done_testing;
