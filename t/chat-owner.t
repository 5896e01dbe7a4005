# The owner's side: answers from the business's own data (landing page
# configuration and the key's knowledge), the knowledge API, conversations,
# analytics checked against seeded rows, bearer refusals — and no raw IP in
# any column of any table.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use CarBot::Chat;
use CarBot::Auth;

my $t = CarBot::Chat::server(chat => {cache_ms => 0});
# The landing plugin is not loaded here: its table is made by hand, with the
# columns chat reads (created before any widget call: chat looks once).
$t->sql(q{CREATE TABLE landing_pages (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          user_id uuid NOT NULL, configuration jsonb NOT NULL DEFAULT '{}',
          is_published boolean NOT NULL DEFAULT true, updated_at timestamptz NOT NULL DEFAULT now())});
my $o = CarBot::Chat::owner($t, tier => 'enterprise');
my $other = CarBot::Chat::owner($t, tier => 'enterprise');
my $all_week = {map { $_ => {open => '00:00', close => '24:00'} } qw(monday tuesday wednesday thursday friday saturday sunday)};
my $conf = {business_name => 'Autohaus Müller', business_description => 'Meisterwerkstatt',
            contact_info => {address => 'Hauptstr. 1, 10115 Berlin', phone => '+49 30 123456',
                             email => 'info@mueller.example', hours => $all_week},
            theme => {primary_color => '#0b6e4f'},
            services => [{name => 'Inspektion', price => 'ab 149 €'}, {name => 'Reifenwechsel', price => '39 €'},
                         {name => 'HU/AU'}]};
$t->sql("INSERT INTO landing_pages (user_id, configuration) VALUES (:'p1', :'p2')", $o->{user}{id},
        JSON::PP->new->utf8(0)->encode($conf));
my $IP = '203.0.113.77';

sub ask { my ($msg, %x) = @_; CarBot::Chat::chat($t, $o, CarBot::Chat::session($t, $o), $msg, headers => {ip => $IP}, %x)->{json} }

subtest 'init shows the business: name, colour, open now' => sub {
	my $r = CarBot::Chat::init($t, $o, headers => {ip => $IP});
	is $r->{json}{config}{business_name}, 'Autohaus Müller', 'name';
	is $r->{json}{config}{primary_color}, '#0b6e4f', 'the landing page\'s colour';
	like $r->{json}{config}{greeting_message}, qr/Autohaus Müller/, 'greeting with the name';
	ok $r->{json}{business}{open_now}, 'open (all week, all day)';
	is $r->{json}{config}{open_now}, JSON::PP::true, 'config.open_now for the widget';
};

subtest 'answers come from the landing page' => sub {
	like ask('Wann habt ihr geöffnet?')->{response}, qr/Mo–So 00:00–24:00.*geöffnet/, 'hours';
	like ask('Wo finde ich euch?')->{response}, qr/Hauptstr\. 1, 10115 Berlin/, 'address';
	like ask('Telefonnummer?')->{response}, qr/\+49 30 123456.*info\@mueller/, 'phone and e-mail';
	like ask('Was kostet eine Inspektion?')->{response}, qr/Inspektion kostet bei uns ab 149 €/, 'a listed price';
	like ask('How much is a tyre change?')->{response}, qr/39 €/, 'a listed price, in English';
	my $hu = ask('Was kostet die HU/AU?')->{response};
	unlike $hu, qr/\d+ ?€/, 'no price given for HU/AU: none invented';
	like $hu, qr/zurückrufen/, 'a callback offered instead';
	like ask('Macht ihr HU/AU?')->{response}, qr/Ja, HU\/AU bieten wir an/, 'a listed service';
	like ask('Macht ihr Klimaservice?')->{response}, qr/nicht in unserer Leistungsliste.*zurückrufen/,
	     'an unlisted service: no promise';
	like ask('Panne!')->{response}, qr/112.*\+49 30 123456/, 'emergency: safety first, then the phone';
	like ask('Hallo')->{response}, qr/Autohaus Müller/, 'greeting with the name';
};

subtest 'closed now: says when it opens next' => sub {
	my $closed = {%$conf, contact_info => {%{$conf->{contact_info}}, hours => {map { $_ => {closed => JSON::PP::true} } qw(monday tuesday wednesday thursday friday saturday sunday)}}};
	$t->sql("UPDATE landing_pages SET configuration = :'p1' WHERE user_id = :'p2'",
	        JSON::PP->new->utf8(0)->encode($closed), $o->{user}{id});
	my $r = CarBot::Chat::init($t, $o);
	ok !$r->{json}{business}{open_now}, 'closed';
	ok !defined $r->{json}{business}{next_open}, 'never opens';
	$t->sql("UPDATE landing_pages SET configuration = :'p1' WHERE user_id = :'p2'",
	        JSON::PP->new->utf8(0)->encode($conf), $o->{user}{id});
};

subtest 'knowledge: GET/PUT, checked, owner only, used by the bot' => sub {
	my $url = "/api/v1/client-keys/$o->{key_id}/knowledge";
	my $r = $t->get($url, headers => $o->{bearer});
	is $r->{status}, 200, 'status 200';
	is_deeply [$r->{json}{faq}, $r->{json}{prices}], [[], []], 'empty at first';
	my $k = {faq => [{q => 'Kann ich mit Karte bezahlen?', a => 'Ja, mit EC- und Kreditkarte.'}],
	         prices => [{service => 'Zahnriemenwechsel', price => '450 €', note => 'inkl. Wasserpumpe'},
	                    {service => 'Klimaservice', price => '89 €'}]};
	$r = $t->put($url, headers => $o->{bearer}, json => $k);
	is $r->{status}, 200, 'PUT 200';
	is_deeply $r->{json}{faq}, $k->{faq}, 'faq stored';
	is_deeply $r->{json}{prices}, $k->{prices}, 'prices stored';
	like ask('Kann man bei euch mit Karte bezahlen?')->{response}, qr/EC- und Kreditkarte/, 'the FAQ answers';
	like ask('Was kostet ein Zahnriemenwechsel?')->{response}, qr/450 € \(inkl\. Wasserpumpe\)/, 'a price of the list';
	like ask('Preis Klimaservice?')->{response}, qr/89 €/, 'by category too';
	is $t->get($url, headers => $other->{bearer})->{status}, 404, 'another owner: GET 404';
	is $t->put($url, headers => $other->{bearer}, json => $k)->{status}, 404, 'another owner: PUT 404';
	is $t->get('/api/v1/client-keys/nope/knowledge', headers => $o->{bearer})->{status}, 404, 'not an id: 404';
	$r = $t->put($url, headers => $o->{bearer}, json => {faq => [{q => '', a => 'x'}, {q => 'x' x 301, a => 'y'},
	             {q => 'a', a => 'b', extra => 1}, 'text'], prices => {}, other => 1});
	is $r->{status}, 400, 'bad knowledge: 400';
	my %f = map { $_->{field} => 1 } @{$r->{json}{error}{details}};
	ok $f{$_}, "detail $_" for ('faq[0].q', 'faq[1].q', 'faq[2].extra', 'faq[3]', 'prices', 'other');
	$r = $t->put($url, headers => $o->{bearer}, json => {faq => [map { {q => "q$_", a => 'a'} } 1 .. 101]});
	is $r->{status}, 400, '101 FAQ entries: 400';
	is scalar @{$t->get($url, headers => $o->{bearer})->{json}{faq}}, 1, 'unchanged by refusals';
};

my $sid_seen;
subtest 'conversations: list, filters, cursor, detail, owner only' => sub {
	my $sid = $sid_seen = CarBot::Chat::session($t, $o);
	CarBot::Chat::chat($t, $o, $sid, $_, headers => {ip => $IP}) for 'Hallo', 'Öffnungszeiten?';
	my $r = $t->get('/api/v1/conversations?limit=100', headers => $o->{bearer});
	is $r->{status}, 200, 'status 200';
	my @mine = @{$r->{json}{conversations}};
	ok @mine >= 10, 'the owner\'s conversations';
	is $mine[0]{session_id}, $sid, 'newest first';
	is $mine[0]{message_count}, 4, 'message_count';
	ok !grep({ $_->{client_key_id} ne $o->{key_id} } @mine), 'only the owner\'s key';
	my (@paged, $cursor);
	for (1 .. 50) {
		my $p = $t->get('/api/v1/conversations?limit=3' . ($cursor ? "&cursor=$cursor" : ''), headers => $o->{bearer});
		push @paged, @{$p->{json}{conversations}};
		$cursor = $p->{json}{next_cursor} or last;
	}
	is_deeply [map { $_->{id} } @paged], [map { $_->{id} } @mine], 'pages of 3 give the same list';
	is scalar @{$t->get("/api/v1/conversations?key=$o->{key_id}&from=2000-01-01&to=2001-01-01",
	                    headers => $o->{bearer})->{json}{conversations}}, 0, 'a date range';
	is $t->get('/api/v1/conversations?from=yesterday', headers => $o->{bearer})->{status}, 400, 'bad date: 400';
	is $t->get('/api/v1/conversations?from=2025-02-30', headers => $o->{bearer})->{status}, 400, 'impossible date: 400';
	is $t->get("/api/v1/conversations?key=$o->{key_id}", headers => $other->{bearer})->{status}, 404,
	   'another owner\'s key: 404';
	is scalar @{$t->get('/api/v1/conversations', headers => $other->{bearer})->{json}{conversations}}, 0,
	   'another owner sees none';
	my $d = $t->get("/api/v1/conversations/$mine[0]{id}", headers => $o->{bearer});
	is $d->{status}, 200, 'detail 200';
	is_deeply [map { $_->{role} } @{$d->{json}{messages}}], [qw(user assistant user assistant)], 'its messages in order';
	is $d->{json}{messages}[2]{content}, 'Öffnungszeiten?', 'content';
	is $d->{json}{messages}[2]{metadata}{intent}, 'opening_hours', 'metadata';
	is $t->get("/api/v1/conversations/$mine[0]{id}", headers => $other->{bearer})->{status}, 404, 'another owner: 404';
	is $t->get('/api/v1/conversations/x', headers => $o->{bearer})->{status}, 404, 'not an id: 404';
};

subtest 'bearer refusals: none, expired, tampered' => sub {
	my $url = "/api/v1/client-keys/$o->{key_id}/analytics";
	is $t->get($url)->{status}, 401, 'no token';
	my $u = $o->{user};
	my $expired = jwt({alg => 'HS256', typ => 'JWT'},
	                  CarBot::Auth::claims($u->{id}, $u->{email}, iat => time - 3600, exp => time - 60), $SECRET);
	is $t->get($url, headers => bearer($expired))->{status}, 401, 'expired';
	my $forged = jwt({alg => 'HS256', typ => 'JWT'}, CarBot::Auth::claims($u->{id}, $u->{email}), 'wrong-secret' x 4);
	is $t->get($url, headers => bearer($forged))->{status}, 401, 'signed with another secret';
	my ($h, $c, $s) = split /\./, $u->{access};
	my (undef, $c2) = split /\./, jwt({alg => 'HS256'}, CarBot::Auth::claims($other->{user}{id}, 'x@example.com'), 'x');
	is $t->get($url, headers => bearer("$h.$c2.$s"))->{status}, 401, 'claims swapped';
	is $t->get('/api/v1/conversations', headers => bearer("$h.$c2.$s"))->{status}, 401, 'conversations too';
	is $t->get('/api/v1/leads', headers => bearer($expired))->{status}, 401, 'leads too';
};

subtest 'analytics: the spec\'s shape, numbers from seeded rows' => sub {
	my $k = CarBot::Chat::owner($t, tier => 'enterprise');
	my $id = $k->{key_id};
	my $seed = sub {
		my ($ago, $visitor, @intents) = @_;
		my $c = $t->sql("INSERT INTO conversations (client_key_id, session_id, user_identifier, message_count, "
		                . "started_at, last_message_at) VALUES (:'p1', :'p2', :'p3', :'p4', now() - :'p5'::interval, "
		                . "now() - :'p5'::interval) RETURNING id",
		                $id, "seed$ago$visitor" =~ s/\W//gr, $visitor x 64, 2 * @intents, $ago)->[0][0];
		for my $i (@intents) {
			$t->sql("INSERT INTO messages (conversation_id, role, content, metadata, created_at) VALUES "
			        . "(:'p1', 'user', 'x', :'p2', now() - :'p3'::interval), "
			        . "(:'p1', 'assistant', 'y', '{}', now() - :'p3'::interval)",
			        $c, qq({"intent":"$i","lang":"de"}), $ago);
		}
	};
	$seed->('10 minutes', 'a', 'opening_hours', 'price');
	$seed->('90 minutes', 'a', 'opening_hours');
	$seed->('3 hours', 'b', 'price', 'lead_details', 'opening_hours');
	$seed->('10 days', 'c', 'greeting');
	$seed->('40 days', 'd', 'price');
	$seed->('50 days', 'e', 'greeting', 'price');
	$seed->('70 days', 'f', 'price');    # outside both periods
	my $r = $t->get("/api/v1/client-keys/$id/analytics", headers => $k->{bearer});
	is $r->{status}, 200, 'status 200';
	my $j = $r->{json};
	is_deeply [sort keys %$j], [qw(hourly_usage top_intents usage_stats)], 'the spec\'s keys';
	is_deeply $j->{usage_stats}{current_period}, {conversations => 4, messages => 7, unique_users => 3}, 'current period';
	is_deeply $j->{usage_stats}{previous_period}, {conversations => 2, messages => 3, unique_users => 2}, 'previous period';
	is $j->{usage_stats}{growth_rate}, 100, 'growth +100 %';
	is_deeply $j->{top_intents}, [{intent => 'opening_hours', count => 3, percentage => 50},
	                              {intent => 'price', count => 2, percentage => 33.3},
	                              {intent => 'greeting', count => 1, percentage => 16.7}],
	          'top intents (lead_details left out), percentages of the period\'s classified messages';
	is scalar @{$j->{hourly_usage}}, 24, '24 hours';
	like $j->{hourly_usage}[0]{hour}, qr/^\d{4}-\d\d-\d\dT\d\d:00:00Z$/, 'hour format';
	my $sum = 0;
	$sum += $_->{conversations} for @{$j->{hourly_usage}};
	is $sum, 3, 'three conversations in the last 24 hours';
	my $last3 = 0;
	$last3 += $_->{conversations} for @{$j->{hourly_usage}}[-3 .. -1];
	is $last3, 2, 'two of them (10 and 90 minutes ago) in the last three hours';
	is $t->get("/api/v1/client-keys/$id/analytics", headers => $o->{bearer})->{status}, 404, 'another owner: 404';
	my $e = CarBot::Chat::owner($t);
	$r = $t->get("/api/v1/client-keys/$e->{key_id}/analytics", headers => $e->{bearer});
	is $r->{status}, 200, 'a basic user may read it';
	is $r->{json}{usage_stats}{growth_rate}, 0, 'no data: growth 0';
	is_deeply $r->{json}{top_intents}, [], 'no intents';
};

subtest 'no raw IP anywhere in the database' => sub {
	CarBot::Chat::events($t, $o, [{type => 'opened'}], session_id => $sid_seen, headers => {ip => $IP});
	my $visitor = $t->sql("SELECT user_identifier FROM conversations WHERE session_id = :'p1'", $sid_seen)->[0][0];
	like $visitor, qr/^[0-9a-f]{64}$/, 'user_identifier is a hex HMAC';
	my $cols = $t->sql("SELECT table_schema, table_name, column_name FROM information_schema.columns "
	                   . "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
	my @hits;
	for my $c (@$cols) {
		my ($s, $tb, $col) = @$c;
		my $n = $t->sql(qq{SELECT count(*) FROM "$s"."$tb" WHERE "$col"::text LIKE '%' || :'p1' || '%'}, $IP);
		push @hits, "$tb.$col" if $n->[0][0];
	}
	ok @$cols > 50, 'scanned ' . scalar(@$cols) . ' columns';
	is_deeply \@hits, [], "$IP is in no column of any table";
	ok !grep({ $_->[2] =~ /^ip/ } @$cols), 'no ip column at all';
	unlike $t->log, qr/\Q$IP\E/, 'nor in the log';
};

done_testing;
