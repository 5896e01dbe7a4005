# One visitor's data: the widget's "Delete my conversation" (POST
# /api/v1/widget/forget) for its own session, and the owner's export and
# deletion of one visitor by lead e-mail, phone or conversation id; retention
# per business purges exactly what is older (time moved by SQL).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Chat;
use CarBot::Gdpr;

my $t = CarBot::Gdpr::server();

sub convs_of { $t->sql("SELECT count(*) FROM conversations WHERE session_id = :'p1'", $_[0])->[0][0] }
sub msgs_of {
	$t->sql("SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id "
	        . "WHERE c.session_id = :'p1'", $_[0])->[0][0];
}
sub forget {
	my ($o, %body) = @_;
	my $h = delete $body{headers} || {};
	return $t->post('/api/v1/widget/forget', headers => CarBot::Chat::headers($o, %$h),
	                json => {client_key => $o->{key}, %body});
}
sub add_lead {
	my ($o, $sid, $contact) = @_;
	my $cid = $t->sql("SELECT id FROM conversations WHERE session_id = :'p1'", $sid)->[0][0];
	$t->sql("INSERT INTO leads (client_key_id, conversation_id, name, contact) "
	        . "VALUES (:'p1', :'p2', 'Max Muster', :'p3')", $o->{key_id}, $cid, $contact);
	return $cid;
}

my $o = CarBot::Chat::owner($t);

subtest 'the widget deletes its own conversation and lead' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	CarBot::Chat::chat($t, $o, $sid, 'Ich heiße Max, 0171 1234567');
	my $keep = CarBot::Chat::session($t, $o);
	CarBot::Chat::chat($t, $o, $keep, 'Wann habt ihr offen?');
	add_lead($o, $sid, 'max@example.org');
	ok msgs_of($sid) >= 1, 'messages stored';
	my $r = forget($o, session_id => $sid);
	is $r->{status}, 200, 'forget answers 200' or diag $r->{content};
	ok $r->{json}{deleted} >= 3, 'rows deleted counted';
	is convs_of($sid), 0, 'the conversation is gone';
	is $t->sql(q{SELECT count(*) FROM leads WHERE contact = 'max@example.org'})->[0][0], 0, 'the lead too';
	is convs_of($keep), 1, 'another visitor\'s conversation stays';
	is $r->{headers}{'access-control-allow-origin'}, $o->{origin}, 'CORS for the widget';
	is forget($o)->{json}{error}{code}, 'validation_failed', 'no session_id: 400';
	is forget($o, session_id => 'bad id!')->{status}, 400, 'a malformed session_id: 400';
	is forget($o, session_id => 'x' x 65)->{status}, 400, 'an oversized session_id: 400';
	is forget($o, session_id => 12345678)->{status}, 400, 'a number: 400';
	is $t->post('/api/v1/widget/forget', json => {session_id => $keep})->{status}, 401,
		'without a client key: 401';
	my $other = CarBot::Chat::owner($t);
	forget($other, session_id => $keep);
	is convs_of($keep), 1, 'another business\'s key cannot delete this session';
	is $t->sql("SELECT count(*) FROM gdpr_audit WHERE action = 'visitor.forgot_self' "
	           . "AND actor = 'visitor' AND user_id = :'p1'", $o->{user}{id})->[0][0], 1, 'audited';
};

subtest 'the owner exports and deletes one visitor' => sub {
	my $s1 = CarBot::Chat::session($t, $o);
	CarBot::Chat::chat($t, $o, $s1, 'Termin bitte');
	my $c1 = add_lead($o, $s1, 'Anna@Example.org');
	my $s2 = CarBot::Chat::session($t, $o);
	CarBot::Chat::chat($t, $o, $s2, 'Rückruf bitte');
	my $c2 = add_lead($o, $s2, '+49 171 7654321');
	my $s3 = CarBot::Chat::session($t, $o);
	CarBot::Chat::chat($t, $o, $s3, 'Nur eine Frage');
	my $r = $t->post('/api/v1/gdpr/visitors/export', headers => $o->{bearer},
	                 json => {email => 'anna@example.org'});
	is $r->{status}, 200, 'export by e-mail (any case)';
	my $chat = $r->{json}{sections}{chat};
	is scalar @{$chat->{conversations}}, 1, 'one conversation';
	is $chat->{conversations}[0]{id}, $c1, 'hers';
	is $chat->{conversations}[0]{messages}[0]{content}, 'Termin bitte', 'with its messages';
	is $chat->{leads}[0]{contact}, 'Anna@Example.org', 'and her lead';
	my $other = CarBot::Chat::owner($t);
	$r = $t->post('/api/v1/gdpr/visitors/export', headers => $other->{bearer},
	              json => {email => 'anna@example.org'});
	is_deeply $r->{json}{sections}{chat}{conversations}, [], 'another owner finds nothing';
	is $t->post('/api/v1/gdpr/visitors/export', headers => $o->{bearer}, json => {})->{status}, 400,
		'no criterion: 400';
	is $t->post('/api/v1/gdpr/visitors/export', headers => $o->{bearer},
	            json => {conversation_id => 'nope'})->{status}, 400, 'a malformed conversation id: 400';
	is $t->post('/api/v1/gdpr/visitors/erase', headers => $o->{bearer},
	            json => {phone => 'abcdefg'})->{json}{deleted}, 0, 'a phone without digits matches nothing';
	$r = $t->post('/api/v1/gdpr/visitors/erase', headers => $o->{bearer},
	              json => {phone => '+49 (171) 765-4321'});
	is $r->{status}, 200, 'delete by phone';
	ok $r->{json}{deleted} >= 2, 'rows deleted';
	is convs_of($s2), 0, 'his conversation is gone';
	is convs_of($s1), 1, 'hers stays';
	$r = $t->post('/api/v1/gdpr/visitors/erase', headers => $o->{bearer}, json => {conversation_id => $c1});
	is convs_of($s1), 0, 'delete by conversation id';
	is convs_of($s3), 1, 'the third visitor stays';
	is $t->post('/api/v1/gdpr/visitors/erase', json => {conversation_id => $c1})->{status}, 401,
		'no bearer: 401';
};

subtest 'retention purges exactly what is older' => sub {
	my $b = CarBot::Chat::owner($t);
	my $r = $t->put('/api/v1/gdpr/retention', headers => $b->{bearer}, json => {conversations_days => 29});
	is $r->{status}, 400, 'fewer than 30 days: 400';
	is $t->put('/api/v1/gdpr/retention', headers => $b->{bearer}, json => {conversations_days => 1096})->{status},
		400, 'more than 1095: 400';
	is $t->put('/api/v1/gdpr/retention', headers => $b->{bearer}, json => {conversations_days => '40'})->{status},
		400, 'a string: 400';
	is $t->get('/api/v1/gdpr/retention', headers => $b->{bearer})->{json}{source}, 'default',
		'the default before';
	$r = $t->put('/api/v1/gdpr/retention', headers => $b->{bearer}, json => {conversations_days => 40});
	is $r->{status}, 200, 'set to 40 days';
	is $r->{json}{conversations_days}, 40, 'answered';
	my ($old, $new, $edge) = map { CarBot::Chat::session($t, $b) } 1 .. 3;
	CarBot::Chat::chat($t, $b, $_, 'Hallo') for $old, $new, $edge;
	my $other = CarBot::Chat::session($t, $o);
	CarBot::Chat::chat($t, $o, $other, 'Hallo');
	# move time: old is 41 days old, edge 39, and o's (no retention) 100
	$t->sql("UPDATE conversations SET last_message_at = now() - interval '41 days' WHERE session_id = :'p1'", $old);
	$t->sql("UPDATE conversations SET last_message_at = now() - interval '39 days' WHERE session_id = :'p1'", $edge);
	$t->sql("UPDATE conversations SET last_message_at = now() - interval '100 days' WHERE session_id = :'p1'", $other);
	$t->sql("UPDATE analytics_events SET created_at = now() - interval '41 days' WHERE session_id = :'p1'", $old);
	my $events = $t->sql("SELECT count(*) FROM analytics_events WHERE session_id = :'p1'", $old)->[0][0];
	$t->sql("UPDATE cb_jobs SET run_at = now() WHERE name = 'gdpr.retention' AND status = 'pending'");
	for (1 .. 300) {
		last unless convs_of($old);
		select undef, undef, undef, 0.2;
	}
	is convs_of($old), 0, 'the 41-day-old conversation is purged';
	is msgs_of($old), 0, 'with its messages';
	is convs_of($edge), 1, 'the 39-day-old one stays';
	is convs_of($new), 1, 'the new one stays';
	is convs_of($other), 1, 'another business without retention keeps everything';
	is $t->sql("SELECT count(*) FROM analytics_events WHERE session_id = :'p1'", $old)->[0][0], 0,
		'analytics no longer name the session';
	is $t->sql("SELECT count(*) FROM analytics_events e JOIN client_keys k ON k.id = e.client_key_id "
	           . "WHERE k.user_id = :'p1' AND e.session_id IS NULL", $b->{user}{id})->[0][0], $events,
		'but keep their counts';
	is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'gdpr.retention' AND status = 'pending' "
	           . "AND run_at > now() + interval '23 hours'")->[0][0], 1, 'the next run is planned for tomorrow';
	$r = $t->put('/api/v1/gdpr/retention', headers => $b->{bearer}, json => {conversations_days => undef});
	is $r->{json}{source}, 'default', 'null: back to the default';
};

done_testing;
