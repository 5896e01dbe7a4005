# The client-key authenticator's page path: a widget on a hosted landing
# page names its page (X-CarBot-Page) instead of a key; landing.v1 holds the
# Origin against the page's hosts, and the owner's newest live prod key is
# used as if presented (rate limits, key.* attributes, usage), without its
# own domain binding.
use strict;
use utf8;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Landing;

my $t = CarBot::Landing::server(
	more => ['keys'], test_plugins => ['keysprobe'],
	plugin_conf => {keys => {key_secret => $KEY_SECRET, ip_rate_limit => 100000, key_rate_limit => 50}});
my $BASE = $CarBot::Landing::BASE;
my $PORT = $t->port;

sub page_probe {
	my ($page, $origin, %h) = @_;
	$h{'X-CarBot-Page'} = $page if defined $page;
	$h{Origin} = $origin if defined $origin;
	return $t->post('/t/widget-probe', headers => \%h);
}

my $u = CarBot::Landing::premium($t);
my $k = CarBot::Keys::create($t, $u, domain => 'werkstatt-mueller.de');
is $k->{status}, 201, 'a prod key for werkstatt-mueller.de' or diag $k->{content};
my $page = CarBot::Landing::published($t, $u);
my ($id, $sub) = ($page->{id}, $page->{subdomain});
my $host = "$sub.$BASE";

subtest 'a published page from its own hosts' => sub {
	for my $origin ("http://$host:$PORT", "https://$host", "http://$host", "http://127.0.0.1:$PORT") {
		my $r = page_probe($id, $origin);
		is $r->{status}, 200, "allowed from $origin" or diag $r->{content};
	}
	my $r = page_probe($id, "http://$host:$PORT");
	is_deeply $r->{json}, {'key.id' => $k->{id}, 'key.user_id' => $u->{id}, 'key.tier' => 'premium',
	                       'key.environment' => 'prod', 'key.domain' => $host},
		'key.* of the owner\'s key; key.domain is the page\'s host';
	ok $r->{headers}{'ratelimit-limit'}, 'the per-key rate limit applies (RateLimit headers)';
	my $g = $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}));
	ok $g->{json}{last_used_at}, 'the key\'s last_used_at is set';
	$r = $t->post('/t/widget-probe', headers => {'X-CarBot-Page' => $id, Origin => "http://$host:$PORT"},
	              json => {message => 'Hallo'});
	is $r->{status}, 200, 'with a JSON body without client_key too';
};

subtest 'wrong or missing origins: 403' => sub {
	for my $origin ('https://werkstatt-mueller.de', "http://other.$BASE:$PORT", "http://x.$host:$PORT",
	                'null', "http://localhost:$PORT", "ftp://$host", "http://$host:$PORT/x") {
		my $r = page_probe($id, $origin);
		is $r->{status}, 403, "refused from $origin";
		is $r->{json}{error}{code}, 'origin_not_allowed', '... origin_not_allowed';
	}
	my $r = page_probe($id, undef);
	is $r->{status}, 403, 'no Origin: 403';
	$r = page_probe('00000000-0000-0000-0000-000000000000', "http://$host:$PORT");
	is $r->{status}, 403, 'an unknown page: 403';
	$r = page_probe('not-a-uuid', "http://$host:$PORT");
	is $r->{status}, 403, 'a malformed page id: 403';
};

subtest 'an unpublished page: refused' => sub {
	my $p2 = CarBot::Landing::published($t, $u);
	my $r = page_probe($p2->{id}, "http://$p2->{subdomain}.$BASE:$PORT");
	is $r->{status}, 200, 'published: allowed';
	my $un = $t->post("/api/v1/landing-pages/$p2->{id}/unpublish", headers => bearer($u->{access}));
	is $un->{status}, 200, 'unpublished';
	$r = page_probe($p2->{id}, "http://$p2->{subdomain}.$BASE:$PORT");
	is $r->{status}, 403, 'unpublished: 403';
	is $r->{json}{error}{code}, 'origin_not_allowed', '... origin_not_allowed';
};

subtest 'a verified custom domain is one of the page\'s hosts' => sub {
	my $u3 = CarBot::Landing::premium($t);
	CarBot::Keys::create($t, $u3, domain => 'irgendwo.de');
	my $p3 = CarBot::Landing::published($t, $u3);
	$t->sql(q{UPDATE landing_pages SET custom_domain = 'autohaus-beispiel.de' WHERE id = :'p1'}, $p3->{id});
	is page_probe($p3->{id}, 'https://autohaus-beispiel.de')->{status}, 200, 'https://custom domain: allowed';
	is page_probe($p3->{id}, 'https://www.autohaus-beispiel.de')->{status}, 403, 'a subdomain of it: 403';
};

subtest 'the owner has no live prod key: 401' => sub {
	my $u2 = CarBot::Landing::premium($t);
	my $p2 = CarBot::Landing::published($t, $u2);
	my $origin = "http://$p2->{subdomain}.$BASE:$PORT";
	my $r = page_probe($p2->{id}, $origin);
	is $r->{status}, 401, 'no key at all: 401';
	is $r->{json}{error}{code}, 'invalid_client_key', '... invalid_client_key';
	is $r->{json}{error}{message}, "the page's owner has no active client key", '... saying why';
	my $tk = CarBot::Keys::create($t, $u2, domain => 'localhost', environment => 'test');
	is $tk->{status}, 201, 'a test key';
	is page_probe($p2->{id}, $origin)->{status}, 401, 'a test key does not count: 401';
	my $old = CarBot::Keys::create($t, $u2, domain => 'alt.example.de');
	my $new = CarBot::Keys::create($t, $u2, domain => 'neu.example.de');
	$r = page_probe($p2->{id}, $origin);
	is $r->{status}, 200, 'two prod keys: allowed';
	is $r->{json}{'key.id'}, $new->{id}, '... with the newest';
	is $t->del("/api/v1/client-keys/$new->{id}", headers => bearer($u2->{access}))->{status}, 204,
		'the newest is revoked';
	$r = page_probe($p2->{id}, $origin);
	is $r->{status}, 200, 'still allowed';
	is $r->{json}{'key.id'}, $old->{id}, '... with the next key';
	my $off = $t->patch("/api/v1/client-keys/$old->{id}", headers => bearer($u2->{access}),
	                    json => {is_active => JSON::PP::false});
	is $off->{status}, 200, 'the other is switched off';
	is page_probe($p2->{id}, $origin)->{status}, 401, 'no live key left: 401';
	$t->sql(q{UPDATE client_keys SET is_active = true, expires_at = now() - interval '1 day' WHERE id = :'p1'},
	        $old->{id});
	is page_probe($p2->{id}, $origin)->{status}, 401, 'an expired key does not count: 401';
};

subtest 'a presented key wins over the page header' => sub {
	my $r = $t->post('/t/widget-probe', headers => {'X-CarBot-Key' => $k->{key}, 'X-CarBot-Page' => $id,
	                                                Origin => "http://$host:$PORT"});
	is $r->{status}, 403, 'the key\'s own binding applies to a presented key';
	$r = $t->post('/t/widget-probe', headers => {'X-CarBot-Key' => $k->{key}, 'X-CarBot-Page' => $id,
	                                          Origin => 'https://werkstatt-mueller.de'});
	is $r->{status}, 200, 'from its domain: allowed';
	is $r->{json}{'key.domain'}, 'werkstatt-mueller.de', '... key.domain is the key\'s';
};

subtest 'a deleted owner\'s page: 403' => sub {
	my $u4 = CarBot::Landing::premium($t);
	CarBot::Keys::create($t, $u4, domain => 'weg.example.de');
	my $p4 = CarBot::Landing::published($t, $u4);
	my $origin = "http://$p4->{subdomain}.$BASE:$PORT";
	is page_probe($p4->{id}, $origin)->{status}, 200, 'allowed';
	$t->sql(q{UPDATE users SET deleted_at = now() WHERE id = :'p1'}, $u4->{id});
	is page_probe($p4->{id}, $origin)->{status}, 403, 'owner deleted: 403';
};

# Without the landing plugin the header means nothing: 401 as before.
my $k2 = CarBot::Keys::server(keys => {ip_rate_limit => 100000});
my $r = $k2->post('/t/widget-probe', headers => {'X-CarBot-Page' => $id, Origin => "http://$host:$PORT"});
is $r->{status}, 401, 'without landing: 401';
is $r->{json}{error}{code}, 'invalid_client_key', '... invalid_client_key';

done_testing;
