# notify: e-mails over real SMTP (the mail catcher on loopback). A lead
# becomes a mail to the owner and extra recipients in the owner's language,
# multipart with correct headers; SMTP down means retries and one mail once
# the server is back; the settings endpoint and one-click unsubscribe.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Encode qw(encode_utf8);
use MIME::Base64 qw(decode_base64);
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Chat;
use CarBot::Mail;

my $m = CarBot::Mail->new;
my $t = CarBot::Mail::server($m, chat => 1, test_plugins => ['testkit']);

sub lead {
	my ($o, @msgs) = @_;
	my $sid = CarBot::Chat::session($t, $o);
	my $r;
	$r = CarBot::Chat::chat($t, $o, $sid, $_) for @msgs;
	return $r;
}

sub settings { $t->get('/api/v1/notifications/settings', headers => $_[0]{bearer}) }
sub put_settings {
	my ($o, %b) = @_;
	$t->put('/api/v1/notifications/settings', headers => $o->{bearer}, json => \%b);
}

my @DE = ('Ich hätte gern einen Termin für einen Ölwechsel', 'Ich heiße Jörg Müller',
          '+49 170 1234567', 'Opel Astra, 2015', 'am Donnerstag');

subtest 'a lead becomes a German mail to the owner at once' => sub {
	my $o = CarBot::Chat::owner($t);
	my $r = lead($o, @DE);
	like $r->{json}{response}, qr/Danke, Jörg Müller/, 'the lead is stored';
	my $id = $t->sql("SELECT l.id FROM leads l JOIN client_keys k ON k.id = l.client_key_id "
	                 . "WHERE k.user_id = :'p1'", $o->{user}{id})->[0][0];
	my ($mail) = $m->wait_for(1, to => $o->{user}{email}, kind => 'lead');
	ok $mail, 'a mail arrived' or return;
	is $mail->{subject}, 'Neue Anfrage: Jörg Müller (Opel Astra, 2015)', 'German subject with name and vehicle';
	like $mail->{headers}{subject}, qr/^=\?UTF-8\?B\?/, 'the non-ASCII subject is RFC 2047 encoded';
	like $mail->{text}, qr/Kontakt:\s+\+49 170 1234567/, 'contact in the text part';
	like $mail->{text}, qr/Fahrzeug:\s+Opel Astra, 2015/, 'vehicle';
	like $mail->{text}, qr/Wunsch:\s+Ölwechsel/, 'wish';
	like $mail->{text}, qr{http://carbot.test/admin/leads/\Q$id\E}, 'the dashboard link to the lead';
	like $mail->{html}, qr{<a href="http://carbot.test/admin/leads/\Q$id\E">}, 'an HTML part with the link';
	like $mail->{headers}{'content-type'}, qr{multipart/alternative}, 'multipart/alternative';
	like $mail->{headers}{date}, qr/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/, 'a Date header';
	like $mail->{headers}{'message-id'}, qr/^<[0-9a-f]{32}\@carbot\.test>$/, 'a Message-ID';
	like $mail->{headers}{'list-unsubscribe'}, qr{^<http://carbot.test/api/v1/notifications/unsubscribe\?u=},
	    'List-Unsubscribe on the optional lead alert';
	is $mail->{headers}{'list-unsubscribe-post'}, 'List-Unsubscribe=One-Click', 'one-click (RFC 8058)';
	is_deeply $mail->{envelope}{to}, [$o->{user}{email}], 'to the owner only';
	is $mail->{envelope}{from}, 'noreply@carbot.test', 'from the configured sender';
	is $t->sql("SELECT status FROM notify_mails WHERE kind = 'lead' AND recipient = :'p1'",
	           $o->{user}{email})->[0][0], 'sent', 'the outbox says sent';
};

subtest 'an owner who chose English gets it in English, front desk too' => sub {
	my $o = CarBot::Chat::owner($t);
	my $r = put_settings($o, language => 'en', lead_recipients => ['Desk@Werkstatt.example']);
	is $r->{status}, 200, 'settings saved';
	is_deeply $r->{json}{lead_recipients}, ['desk@werkstatt.example'], 'recipient lower-cased';
	lead($o, 'I would like an appointment, my brakes are squeaking', 'John Smith',
	     'my mail is john@example.org', 'Ford Focus', '2030-05-17');
	my ($mine) = $m->wait_for(1, to => $o->{user}{email}, kind => 'lead');
	my ($desk) = $m->wait_for(1, to => 'desk@werkstatt.example');
	ok $mine && $desk, 'owner and front desk get one each' or return;
	is $mine->{subject}, 'New lead: John Smith (Ford Focus)', 'English subject';
	like $mine->{text}, qr/Wish:\s+brakes\b/, 'English text';
	like $mine->{html}, qr/<html lang="en">/, 'English HTML';
	is $desk->{subject}, $mine->{subject}, 'the same mail to the desk';
};

subtest 'what a visitor typed is escaped in the HTML part' => sub {
	my $o = CarBot::Chat::owner($t);
	my $r = lead($o, 'Termin für einen Ölwechsel', 'Ich heiße Max Muster', 'max@example.org',
	             'Golf "GTI" & <i>Co</i>', 'Freitag');
	like $r->{json}{response}, qr/Danke, Max Muster/, 'the lead is stored';
	my ($mail) = $m->wait_for(1, to => $o->{user}{email}, kind => 'lead');
	ok $mail, 'a mail' or return;
	my $v = $t->sql("SELECT vehicle FROM leads l JOIN client_keys k ON k.id = l.client_key_id "
	                . "WHERE k.user_id = :'p1'", $o->{user}{id})->[0][0];
	like $mail->{text}, qr/\Q$v\E/, 'the text part has it as typed';
	unlike $mail->{html}, qr/<i>Co/, 'no markup from the visitor in the HTML part';
	like $mail->{html}, qr/Golf &quot;GTI&quot; &amp;/, 'escaped';
};

subtest 'lead alerts off: no mail; unsubscribe link turns them off' => sub {
	my $o = CarBot::Chat::owner($t);
	is put_settings($o, lead_alerts => JSON::PP::false)->{status}, 200, 'alerts off';
	lead($o, @DE);
	my $jobs_done = sub {
		$t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'notify.event' AND status <> 'done' "
		        . "AND payload->>'user_id' = :'p1'", $o->{user}{id})->[0][0] == 0 };
	for (1 .. 300) { last if $jobs_done->(); select undef, undef, undef, 0.1 }
	ok $jobs_done->(), 'the event was handled';
	is scalar(my @none = $m->wait_for(1, to => $o->{user}{email}, kind => 'lead', timeout => 0)), 0, 'and no mail sent';

	my $o2 = CarBot::Chat::owner($t);
	lead($o2, @DE);
	my ($mail) = $m->wait_for(1, to => $o2->{user}{email}, kind => 'lead');
	my ($url) = ($mail->{headers}{'list-unsubscribe'} // '') =~ /^<(.*)>$/;
	ok $url, 'an unsubscribe URL' or return;
	$url =~ s{^http://carbot.test}{};
	(my $forged = $url) =~ s/k=[0-9a-f]{4}/k=0000/;
	is $t->post($forged, content => 'List-Unsubscribe=One-Click')->{status}, 404, 'a forged link is refused';
	is settings($o2)->{json}{lead_alerts}, JSON::PP::true, 'alerts still on';
	my $get = $t->get($url);
	is $get->{status}, 200, 'a GET (a click, a link scanner) answers';
	like $get->{content}, qr/<form method="post"/, 'with a button';
	is settings($o2)->{json}{lead_alerts}, JSON::PP::true, 'and changes nothing';
	is $t->post($url, content => 'List-Unsubscribe=One-Click')->{status}, 200, 'one-click unsubscribe';
	is settings($o2)->{json}{lead_alerts}, JSON::PP::false, 'alerts off';
};

subtest 'settings: defaults, validation, owner only' => sub {
	my $o = CarBot::Chat::owner($t);
	my $s = settings($o);
	is $s->{status}, 200, 'GET';
	is_deeply $s->{json}, {language => 'de', lead_alerts => JSON::PP::true,
	                       daily_digest => JSON::PP::false, lead_recipients => []}, 'defaults';
	my $bad = put_settings($o, language => 'fr', lead_alerts => 'yes', daily_digest => 3,
	                       lead_recipients => ['not an address']);
	is $bad->{status}, 400, 'bad values refused';
	is_deeply [sort map { $_->{field} } @{$bad->{json}{error}{details}}],
	    [qw(daily_digest language lead_alerts lead_recipients)], 'each field named';
	is put_settings($o, lead_recipients => 'a@b.de')->{status}, 400, 'recipients must be an array';
	is put_settings($o, lead_recipients => [map { "r$_\@example.org" } 1 .. 11])->{status}, 400,
	    'at most 10 recipients';
	is put_settings($o, lead_recipients => ["x\r\nBcc: evil\@example.org"])->{status}, 400,
	    'no header injection through a recipient';
	is put_settings($o, language => 'x' x 100000)->{status}, 400, 'oversized value refused';
	is_deeply settings($o)->{json}{lead_recipients}, [], 'nothing changed';
	is $t->put('/api/v1/notifications/settings', json => {language => 'en'})->{status}, 401, 'needs a token';
	is $t->put('/api/v1/notifications/settings', headers => $o->{bearer}, content => 'language=en',
	           content_type => 'text/plain')->{status}, 415, 'JSON only';
	my $o2 = CarBot::Chat::owner($t);
	put_settings($o2, language => 'en');
	is settings($o)->{json}{language}, 'de', "another owner's change is not mine";
};

subtest 'the daily digest lists the day\'s leads; off drops it' => sub {
	my $o = CarBot::Chat::owner($t);
	lead($o, @DE);
	is put_settings($o, daily_digest => JSON::PP::true)->{json}{daily_digest}, JSON::PP::true, 'digest on';
	my $job = sub {
		$t->sql("SELECT id, extract(epoch FROM run_at - now())::int FROM cb_jobs WHERE name = 'notify.digest' "
		        . "AND status = 'pending' AND payload->>'user_id' = :'p1' ORDER BY id", $o->{user}{id}) };
	my $j = $job->();
	is scalar @$j, 1, 'one digest planned';
	ok $j->[0][1] > 0 && $j->[0][1] <= 86400, 'within the next day (at digest_hour)';
	put_settings($o, daily_digest => JSON::PP::true);
	is scalar @{$job->()}, 1, 'saving again plans no second one';
	$t->sql("UPDATE cb_jobs SET run_at = now() WHERE id = :'p1'", $j->[0][0]); # the hour has come
	my ($d) = $m->wait_for(1, to => $o->{user}{email}, kind => 'digest');
	ok $d, 'the digest arrived' or return;
	is $d->{subject}, 'Ihre Anfragen der letzten 24 Stunden: 1', 'German, with the count';
	like $d->{text}, qr/Jörg Müller, \+49 170 1234567, Opel Astra, 2015: Ölwechsel/, 'the lead';
	like $d->{headers}{'list-unsubscribe'}, qr/m=daily_digest/, 'an unsubscribe link for the digest';
	my $next;
	ok eventually_sql(sub { $next = $job->(); @$next == 1 && $next->[0][0] != $j->[0][0] }),
	    'the next one is planned';
	ok $next->[0][1] > 86400 - 3600, 'a day later';
	put_settings($o, daily_digest => JSON::PP::false);
	$t->sql("UPDATE cb_jobs SET run_at = now() WHERE id = :'p1'", $next->[0][0]);
	ok eventually_sql(sub { !@{$job->()} }), 'the planned job ran';
	is scalar(my @x = $m->wait_for(2, to => $o->{user}{email}, kind => 'digest', timeout => 2)), 1,
	    'and sent nothing: the digest is off';
};

sub eventually_sql {
	my ($cond) = @_;
	for (1 .. 300) { return 1 if $cond->(); select undef, undef, undef, 0.2 }
	return 0;
}

subtest 'SMTP down: the job retries and the mail arrives once, when it is back' => sub {
	my $o = CarBot::Chat::owner($t);
	$m->stop;
	lead($o, @DE);
	my $attempts = sub {
		$t->sql("SELECT COALESCE(max(attempts), 0) FROM notify_mails WHERE recipient = :'p1'",
		        $o->{user}{email})->[0][0] };
	for (1 .. 600) { last if $attempts->() >= 2; select undef, undef, undef, 0.1 }
	cmp_ok $attempts->(), '>=', 2, 'sending failed and was retried';
	like $t->sql("SELECT last_error FROM notify_mails WHERE recipient = :'p1'", $o->{user}{email})->[0][0],
	    qr/connect|Couldn't|refused/i, 'the reason is kept';
	is $t->sql("SELECT status FROM notify_mails WHERE recipient = :'p1'", $o->{user}{email})->[0][0],
	    'queued', 'still queued';
	$m->start;
	my @mails = $m->wait_for(1, to => $o->{user}{email}, kind => 'lead', timeout => 120);
	is scalar @mails, 1, 'the mail arrived once the server was back';
	sleep 5; # a duplicate would come from another retry
	is scalar(my @again = $m->wait_for(2, to => $o->{user}{email}, kind => 'lead', timeout => 1)), 1, 'exactly once';
	is $t->sql("SELECT status FROM notify_mails WHERE recipient = :'p1'", $o->{user}{email})->[0][0],
	    'sent', 'marked sent';
};

subtest 'account mails from billing and gdpr events' => sub {
	# the events billing and gdpr are to emit, as notify's README names them
	my $o = CarBot::Chat::owner($t);
	put_settings($o, language => 'en');
	for my $e (['billing.trial_ending', {trial_ends_at => '2030-01-04'}],
	           ['billing.payment_failed', {grace_ends_at => '2030-01-11'}],
	           ['user.erasure_scheduled', {erase_at => '2030-02-01'}],
	           ['user.erasure_cancelled', {}]) {
		my $r = $t->post("/t/emit/$e->[0]", json => {%{$e->[1]}, user_id => $o->{user}{id}});
		is $r->{status}, 200, "$e->[0] emitted";
	}
	is $t->post('/t/emit/billing.trial_ending', json => {user_id => 'nope'})->{status}, 200,
	    'an event without a valid user_id is ignored';
	my @mails = grep { ($_->{headers}{'x-carbot-mail'} // '') ne 'verify_email' }
	    $m->wait_for(5, to => $o->{user}{email});
	is scalar @mails, 4, 'four mails';
	my %subj = map { $_->{subject} => $_ } @mails;
	ok((grep { /trial ends in 3 days/ } keys %subj), 'trial ending');
	my ($pf) = grep { $_->{subject} =~ /Payment failed/ } @mails;
	like $pf->{text}, qr/active until 2030-01-11/, 'the grace period';
	ok(!exists $pf->{headers}{'list-unsubscribe'}, 'no List-Unsubscribe on a required mail');
	my ($es) = grep { $_->{subject} =~ /will be erased/ } @mails;
	like $es->{text}, qr/2030-02-01/, 'the erasure date';
	ok((grep { /cancelled/ } keys %subj), 'erasure cancelled');
};

done_testing;
