# The benchmark's floor route (testkit's POST /t/chat-floor) runs the chat
# handler's own statement (plugins/chat/persist_sql.h): it must start a
# conversation, continue it, and store both messages each time, exactly as
# the widget's chat does, or bench/chat.pl's floor measures something else.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use CarBot::Chat;

my $t = CarBot::Chat::server(test_plugins => ['testkit']);
my $o = CarBot::Chat::owner($t);

my $first = $t->post('/t/chat-floor', json => {key_id => $o->{key_id}, session_id => 'floor0000001',
                                                message => 'Wann habt ihr geöffnet?'});
is $first->{status}, 200, 'answered';
ok $first->{json}{is_new}, 'a new session starts a conversation';
my $again = $t->post('/t/chat-floor', json => {key_id => $o->{key_id}, session_id => 'floor0000001',
                                                message => 'Danke'});
ok !$again->{json}{is_new}, 'the same session continues it';
is $again->{json}{conversation_id}, $first->{json}{conversation_id}, 'same conversation';
my $rows = $t->sql(q{SELECT message_count, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)
                     FROM conversations c WHERE c.id = :'p1'}, $first->{json}{conversation_id});
is_deeply $rows, [[4, 4]], 'two turns: four messages stored and counted';
is $t->post('/t/chat-floor', json => {key_id => $o->{key_id}})->{status}, 400, 'fields missing: 400';

# redis_trips: the benchmark's measure of what one Redis round trip costs
my $trips = sub { chomp(my $n = `redis-cli -p ${\ $t->redis_port} GET testkit:floor:trips`); $n || 0 };
my $r = $t->post('/t/chat-floor', json => {key_id => $o->{key_id}, session_id => 'floor0000002',
                                            message => 'Hallo', redis_trips => 3});
is $r->{status}, 200, 'with three Redis round trips';
is $trips->(), 3, 'three commands reached Redis, one after the other';
for my $bad (17, -1, 'x', 1.5) {
	is $t->post('/t/chat-floor', json => {key_id => $o->{key_id}, session_id => 'floor0000002',
	                                      message => 'Hallo', redis_trips => $bad})->{status}, 400,
		"redis_trips $bad: 400";
}
is $trips->(), 3, 'a refused request made none';

# the widget's chat runs the very same statement: its conversation looks alike
my $sid = CarBot::Chat::session($t, $o);
my $c = CarBot::Chat::chat($t, $o, $sid, 'Hallo');
is $c->{status}, 200;
is_deeply $t->sql(q{SELECT message_count FROM conversations WHERE id = :'p1'}, $c->{json}{conversation_id}),
	[[2]], 'the widget chat stores the same shape';
done_testing;
