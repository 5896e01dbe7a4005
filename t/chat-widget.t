# The widget API: init, chat and events — their answers, CORS, and every
# refusal (key, origin, input, limits).
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use CarBot::Chat;

my $t = CarBot::Chat::server(keys => {basic_messages => 4, basic_conversations => 2},
                             chat => {session_limit => 5, session_window => 60});
my $o = CarBot::Chat::owner($t, tier => 'enterprise', domain => 'werkstatt-widget.example');

subtest 'init: a new session, the config, texts in both languages' => sub {
	my $r = CarBot::Chat::init($t, $o);
	is $r->{status}, 200, 'status 200';
	my $j = $r->{json};
	like $j->{session_id}, qr/^[0-9a-f]{32}$/, 'session_id: 128 random bits in hex';
	ok !$j->{resumed}, 'not resumed';
	is $j->{config}{theme}, 'auto', 'theme auto by default';
	is $j->{config}{position}, 'bottom-right', 'position';
	like $j->{config}{primary_color}, qr/^#[0-9a-f]{6}$/i, 'primary colour';
	ok length $j->{config}{greeting_message}, 'greeting';
	ok length $j->{config}{placeholder_text}, 'placeholder';
	is $j->{config}{locale}, 'de', 'German by default';
	ok exists $j->{config}{avatar_url}, 'avatar_url (null)';
	for my $l (qw(de en)) {
		ok length $j->{strings}{$l}{send}, "strings.$l.send";
	}
	is $j->{strings}{de}{send}, 'Senden', 'German';
	is $j->{strings}{en}{send}, 'Send', 'English';
	ok exists $j->{business}{open_now}, 'business.open_now (null without hours)';
	is $r->{headers}{'access-control-allow-origin'}, $o->{origin}, 'ACAO: the key\'s origin';
	like $r->{headers}{vary}, qr/Origin/, 'Vary: Origin';
	my $r2 = CarBot::Chat::init($t, $o);
	isnt $r2->{json}{session_id}, $j->{session_id}, 'another init, another session';
};

subtest 'init: resuming a session of this key, not of another' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my $r = CarBot::Chat::init($t, $o, session_id => $sid);
	is $r->{json}{session_id}, $sid, 'resumed';
	ok $r->{json}{resumed}, 'resumed: true';
	my $o2 = CarBot::Chat::owner($t, tier => 'enterprise');
	$r = CarBot::Chat::init($t, $o2, session_id => $sid);
	isnt $r->{json}{session_id}, $sid, 'another key\'s session is not resumed';
	$r = CarBot::Chat::init($t, $o, session_id => 'f' x 32);
	isnt $r->{json}{session_id}, 'f' x 32, 'an unknown session is replaced';
	$r = CarBot::Chat::init($t, $o, session_id => '../../etc');
	is $r->{status}, 200, 'a malformed one too';
};

subtest 'init: config overrides are checked and applied' => sub {
	my $r = CarBot::Chat::init($t, $o, config => {theme => 'dark', position => 'bottom-left',
	                                             primary_color => '#112233', greeting_message => 'Moin!',
	                                             placeholder_text => 'Frage…', avatar_url => 'https://cdn.example/a.png'});
	is $r->{status}, 200, 'status 200';
	is $r->{json}{config}{theme}, 'dark', 'theme';
	is $r->{json}{config}{position}, 'bottom-left', 'position';
	is $r->{json}{config}{primary_color}, '#112233', 'colour';
	is $r->{json}{config}{greeting_message}, 'Moin!', 'greeting';
	is $r->{json}{config}{avatar_url}, 'https://cdn.example/a.png', 'avatar';
	$r = CarBot::Chat::init($t, $o, config => {theme => 'pink', position => 'top', primary_color => 'red',
	                                          avatar_url => 'javascript:alert(1)'});
	is $r->{status}, 400, 'bad values: 400';
	my %f = map { $_->{field} => 1 } @{$r->{json}{error}{details}};
	ok $f{$_}, "detail for $_" for qw(config.theme config.position config.primary_color config.avatar_url);
	$r = CarBot::Chat::init($t, $o, config => 'dark');
	is $r->{status}, 400, 'config not an object: 400';
	$r = CarBot::Chat::init($t, $o, locale => 'en');
	is $r->{json}{config}{locale}, 'en', 'locale en';
	is $r->{json}{config}{placeholder_text}, 'Your message …', 'English texts';
};

subtest 'init: domain missing, or another domain' => sub {
	my $r = $t->post('/api/v1/widget/init', headers => CarBot::Chat::headers($o),
	                 json => {client_key => $o->{key}});
	is $r->{status}, 400, 'no domain: 400';
	is $r->{json}{error}{details}[0]{field}, 'domain', 'names the field';
	$r = CarBot::Chat::init($t, $o, domain => 'evil.example');
	is $r->{status}, 403, 'another domain: 403';
	$r = CarBot::Chat::init($t, $o, domain => "shop.$o->{domain}");
	is $r->{status}, 200, 'a subdomain: 200';
};

subtest 'chat: the spec\'s response shape' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my $r = CarBot::Chat::chat($t, $o, $sid, 'Hallo, wann habt ihr geöffnet?',
	                           context => {page_url => "https://$o->{domain}/kontakt", user_agent => 'x', locale => 'de-DE'});
	is $r->{status}, 200, 'status 200';
	my $j = $r->{json};
	ok length $j->{response}, 'response';
	is $j->{session_id}, $sid, 'session_id';
	like $j->{conversation_id}, qr/^[0-9a-f-]{36}$/, 'conversation_id';
	is ref $j->{suggestions}, 'ARRAY', 'suggestions';
	ok $j->{typing_delay} >= 300 && $j->{typing_delay} <= 1500, 'typing_delay within 300..1500';
	is $r->{headers}{'access-control-allow-origin'}, $o->{origin}, 'ACAO';
	my $c = $t->sql("SELECT message_count, metadata->>'page_url' FROM conversations WHERE id = :'p1'",
	                $j->{conversation_id});
	is_deeply $c, [[2, "https://$o->{domain}/kontakt"]], 'conversation stored with both messages';
	my $r2 = CarBot::Chat::chat($t, $o, $sid, 'Danke');
	is $r2->{json}{conversation_id}, $j->{conversation_id}, 'same conversation';
	is $t->sql("SELECT message_count FROM conversations WHERE id = :'p1'", $j->{conversation_id})->[0][0],
	   4, 'four messages';
	my $short = CarBot::Chat::chat($t, $o, $sid, 'Tschüss')->{json}{typing_delay};
	my $long = CarBot::Chat::chat($t, $o, $sid, 'Ich habe eine Frage zu etwas ganz anderem')->{json}{typing_delay};
	cmp_ok $long, '>', $short, 'a longer answer types longer';
};

subtest 'a conversation ends after 30 minutes of silence' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my $c1 = CarBot::Chat::chat($t, $o, $sid, 'Hallo')->{json}{conversation_id};
	$t->sql("UPDATE conversations SET last_message_at = now() - interval '31 minutes', "
	        . "started_at = now() - interval '40 minutes' WHERE id = :'p1'", $c1);
	# the Redis context expires with the same idle time; drop it as time would
	system('redis-cli', '-p', $t->redis_port, 'FLUSHDB') == 0 or diag 'redis-cli failed';
	my $c2 = CarBot::Chat::chat($t, $o, $sid, 'Hallo nochmal')->{json}{conversation_id};
	isnt $c2, $c1, 'a new conversation';
	my $ended = $t->sql("SELECT ended_at IS NOT NULL FROM conversations WHERE id = :'p1'", $c1);
	is $ended->[0][0], 't', 'the old one has ended_at';
	is CarBot::Chat::chat($t, $o, $sid, 'Und?')->{json}{conversation_id}, $c2, 'the new one goes on';
};

subtest 'chat: input refusals' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my $h = CarBot::Chat::headers($o);
	my $post = sub { $t->post('/api/v1/widget/chat', headers => $h, json => {client_key => $o->{key}, @_}) };
	my $r = $post->(session_id => $sid, message => '');
	is $r->{status}, 400, 'empty message: 400';
	is $r->{json}{error}{details}[0]{field}, 'message', 'names message';
	is $post->(session_id => $sid, message => "  \n\t ")->{status}, 400, 'blank message: 400';
	$r = $post->(session_id => $sid);
	is $r->{status}, 400, 'no message: 400';
	is $r->{json}{error}{details}[0]{issue}, 'missing', 'missing';
	$r = $post->(session_id => $sid, message => 42);
	is $r->{status}, 400, 'message a number: 400';
	is $r->{json}{error}{details}[0]{issue}, 'type', 'type';
	$r = $post->(message => 'Hallo');
	is $r->{status}, 400, 'no session_id: 400';
	$r = $post->(session_id => 'a b c d e f g h', message => 'Hallo');
	is $r->{status}, 400, 'malformed session_id: 400';
	$r = $post->(session_id => $sid, message => 'x' x 2001);
	is $r->{status}, 400, '2001 characters: 400';
	is $r->{json}{error}{details}[0]{issue}, 'too_long', 'too_long';
	like $r->{json}{error}{details}[0]{message}, qr/2001 characters; at most 2000/, 'says how many';
	$r = $post->(session_id => $sid, message => 'ü' x 2000);
	is $r->{status}, 200, '2000 umlauts (4000 bytes) are 2000 characters: accepted';
	$r = $post->(session_id => $sid, message => 'Hallo', context => 'x');
	is $r->{status}, 400, 'context not an object: 400';
	$r = $post->(session_id => $sid, message => 'Hallo', context => {page_url => 5});
	is $r->{status}, 400, 'context.page_url a number: 400';
	$r = $t->post('/api/v1/widget/chat', headers => {%$h, 'Content-Type' => 'application/json',
	              'X-CarBot-Key' => $o->{key}}, body => '{"message": "Hallo",');
	is $r->{status}, 400, 'malformed JSON: 400';
	is $r->{json}{error}{code}, 'malformed_json', 'malformed_json';
	$r = $t->post('/api/v1/widget/chat', headers => {%$h, 'Content-Type' => 'application/json'},
	              body => '{"message": "Hallo",');
	is $r->{status}, 400, 'malformed JSON, key only in the body: 400';
	$r = $t->post('/api/v1/widget/chat', headers => {%$h, 'Content-Type' => 'application/json',
	              'X-CarBot-Key' => $o->{key}}, body => ('{"message":"' . ('a' x 40000) . '"}'));
	is $r->{status}, 413, 'a huge body: 413';
	is $t->sql("SELECT count(*) FROM conversations c JOIN messages m ON m.conversation_id = c.id "
	           . "WHERE c.session_id = :'p1'", $sid)->[0][0], 2, 'nothing refused was stored';
};

subtest 'key and origin refusals' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my $r = CarBot::Chat::chat($t, $o, $sid, 'Hallo', headers => {Origin => 'https://evil.example'});
	is $r->{status}, 403, 'wrong origin: 403';
	# the refusal is readable by the page (it carries no data), so the widget
	# can show why; a real answer never goes to a foreign origin
	is $r->{headers}{'access-control-allow-origin'}, 'https://evil.example', 'the refusal is readable';
	is $r->{json}{error}{code}, 'origin_not_allowed', 'and says why';
	$r = CarBot::Chat::chat($t, {%$o, key => 'cb_prod_' . ('0' x 32)}, $sid, 'Hallo');
	is $r->{status}, 401, 'unknown key: 401';
	$r = $t->post('/api/v1/widget/chat', headers => CarBot::Chat::headers($o),
	              json => {session_id => $sid, message => 'Hallo'});
	is $r->{status}, 401, 'no key: 401';
	my $o2 = CarBot::Chat::owner($t, tier => 'enterprise');
	my $s2 = CarBot::Chat::session($t, $o2);
	is $t->del("/api/v1/client-keys/$o2->{key_id}", headers => $o2->{bearer})->{status}, 204, 'key revoked (204)';
	$r = CarBot::Chat::chat($t, $o2, $s2, 'Hallo');
	is $r->{status}, 401, 'revoked key: 401';
	is CarBot::Chat::init($t, $o2)->{status}, 401, 'revoked key: init 401';
	is CarBot::Chat::events($t, $o2, [{type => 'opened'}])->{status}, 401, 'revoked key: events 401';
	my $ot = CarBot::Chat::owner($t, tier => 'enterprise', env => 'test', domain => 'localhost');
	$r = CarBot::Chat::chat($t, $ot, 'testsession01', 'Hallo', headers => {Origin => 'http://localhost:5173'});
	is $r->{status}, 200, 'a test key works from localhost with any port';
	is $r->{headers}{'access-control-allow-origin'}, 'http://localhost:5173', 'ACAO echoes it';
};

subtest 'CORS preflight on every widget route' => sub {
	for my $route (qw(init chat events)) {
		my $r = $t->req('OPTIONS', "/api/v1/widget/$route",
		                headers => {Origin => 'https://shop.example', 'Access-Control-Request-Method' => 'POST',
		                            'Access-Control-Request-Headers' => 'content-type, x-carbot-key'});
		is $r->{status}, 204, "$route: 204 without a key";
		is $r->{headers}{'access-control-allow-origin'}, 'https://shop.example', "$route: ACAO = Origin";
		is $r->{headers}{'access-control-allow-methods'}, 'POST', "$route: methods";
		like $r->{headers}{'access-control-allow-headers'}, qr/Content-Type, X-CarBot-Key, X-CarBot-Page/, "$route: headers";
		is $r->{headers}{'access-control-max-age'}, '600', "$route: max-age";
		like $r->{headers}{vary}, qr/Origin/, "$route: Vary";
	}
	my $r = $t->req('OPTIONS', '/api/v1/widget/chat', headers => {Origin => 'null'});
	ok !$r->{headers}{'access-control-allow-origin'}, 'Origin null gets no ACAO';
};

subtest 'usage limits of the tier: 429 with Retry-After' => sub {
	my $b = CarBot::Chat::owner($t);    # basic: 4 messages, 2 conversations in this server
	my @s = map { CarBot::Chat::session($t, $b) } 1 .. 3;
	is CarBot::Chat::chat($t, $b, $s[0], 'Hallo')->{status}, 200, 'conversation 1';
	is CarBot::Chat::chat($t, $b, $s[1], 'Hallo')->{status}, 200, 'conversation 2';
	my $r = CarBot::Chat::chat($t, $b, $s[2], 'Hallo');
	is $r->{status}, 429, 'conversation 3: 429';
	is $r->{json}{error}{code}, 'usage_limit_exceeded', 'usage_limit_exceeded';
	ok $r->{headers}{'retry-after'} > 0, 'Retry-After';
	is CarBot::Chat::chat($t, $b, $s[0], 'Noch was')->{status}, 200, 'message 4 (an existing conversation)';
	$r = CarBot::Chat::chat($t, $b, $s[1], 'Und noch was');
	is $r->{status}, 429, 'message 5: 429';
	ok $r->{headers}{'retry-after'} > 0, 'Retry-After';
	is $t->sql("SELECT count(*) FROM conversations WHERE client_key_id = :'p1'", $b->{key_id})->[0][0],
	   2, 'refused messages started nothing';
};

subtest 'per-session rate limit' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my @st = map { CarBot::Chat::chat($t, $o, $sid, "Nachricht $_")->{status} } 1 .. 6;
	is_deeply [@st[0 .. 4]], [(200) x 5], 'five a minute';
	my $r = CarBot::Chat::chat($t, $o, $sid, 'eine zu viel');
	is $r->{status}, 429, 'the sixth: 429';
	ok $r->{headers}{'retry-after'} > 0, 'Retry-After';
	is $r->{headers}{'access-control-allow-origin'}, $o->{origin}, 'readable by the widget (ACAO)';
	# the key's usage is counted in the same script as the session limit,
	# only when the limit allows: refused messages count nothing
	my $used = sub {
		$t->get("/api/v1/client-keys/$o->{key_id}", headers => $o->{bearer})->{json}{usage}{messages}{used};
	};
	my $before = $used->();
	is CarBot::Chat::chat($t, $o, $sid, 'noch eine')->{status}, 429, 'still limited';
	is $used->(), $before, 'refused messages are not counted against the key';
	my $other = CarBot::Chat::session($t, $o);
	is CarBot::Chat::chat($t, $o, $other, 'Hallo')->{status}, 200, 'another session of the key is fine';
	is $used->(), $before + 1, 'and counted once';
	is $t->sql(q{SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
	             WHERE c.session_id = :'p1'}, $sid)->[0][0], 10, 'five messages and answers stored, no more';
};

subtest 'events: batches of up to 50' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my $r = CarBot::Chat::events($t, $o, [{type => 'widget_loaded'}, {type => 'opened', data => {source => 'button'}},
	                                      {type => 'message_sent'}, {type => 'lead_created', data => {step => 5}}],
	                             session_id => $sid);
	is $r->{status}, 202, 'status 202';
	is $r->{json}{accepted}, 4, 'four accepted';
	my $rows = $t->sql("SELECT event_type, event_category, event_data::text, session_id FROM analytics_events "
	                   . "WHERE client_key_id = :'p1' ORDER BY event_type", $o->{key_id});
	is scalar @$rows, 4, 'four rows';
	is_deeply [map { $_->[0] } @$rows], [qw(lead_created message_sent opened widget_loaded)], 'types';
	is $rows->[2][2], '{"source": "button"}', 'data kept';
	is $rows->[0][1], 'conversation', 'category';
	is $rows->[0][3], $sid, 'session';
	$r = CarBot::Chat::events($t, $o, [map { {type => 'opened'} } 1 .. 51]);
	is $r->{status}, 400, '51 events: 400';
	$r = CarBot::Chat::events($t, $o, []);
	is $r->{status}, 400, 'none: 400';
	$r = CarBot::Chat::events($t, $o, [{type => 'DROP TABLE'}, {data => {}}, {type => 'ok', data => [1]}]);
	is $r->{status}, 400, 'bad types and data: 400';
	is scalar @{$r->{json}{error}{details}}, 3, 'one detail each';
	$r = CarBot::Chat::events($t, $o, {type => 'opened'});
	is $r->{status}, 400, 'events not an array: 400';
	$r = CarBot::Chat::events($t, $o, [{type => 'opened', data => {x => 'y' x 3000}}]);
	is $r->{status}, 400, 'oversized data: 400';
};

subtest 'a visitor_salt shorter than 32 bytes stops startup, saying how long it is' => sub {
	my $path = $t->write_conf(plugins => ['auth', 'keys', 'chat'],
		plugin_conf => {auth => {jwt_secret => $CarBot::Auth::SECRET},
		                keys => {key_secret => $CarBot::Keys::KEY_SECRET},
		                chat => {visitor_salt => 'salty'}});
	my ($code, $out) = $t->run_carbotd(args => ['-t', '-c', $path], conf => 0);
	isnt $code, 0, 'refused';
	like $out, qr/visitor_salt is 5 bytes long; it needs at least 32/, 'names it and its length';
};

done_testing;
