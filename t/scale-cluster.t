# Scale-out: three carbotd on one PostgreSQL and one Redis behind HAProxy
# behave as one service. Migrations run once when all three start at the
# same moment; the widget's per-IP rate limit is counted once over all
# three; a revoked key is refused and a changed page served new by every
# process at once; a job runs exactly once however many processes poll the
# queue; usage counts add up exactly under concurrent requests.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use POSIX ();
use Time::HiRes qw(time sleep);
use JSON::PP;
use CarBot::Test;
use CarBot::Cluster;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Chat;
use CarBot::Landing;

plan skip_all => 'haproxy not installed (scripts/deps.sh)' unless CarBot::Cluster::haproxy_bin();

my $IP_LIMIT = 12;
my %lo = CarBot::Landing::options(landing => {cache_revalidate_ms => 0});
my $c = CarBot::Cluster->new(
	n => 3,
	plugins => ['auth', 'keys', 'chat', 'templates', 'landing'],
	test_plugins => ['testkit'],
	plugin_conf => {
		%{$lo{plugin_conf}},
		keys => {key_secret => $KEY_SECRET, ip_rate_limit => $IP_LIMIT, ip_rate_window => 900,
		         key_rate_limit => 100000, flush_interval => 1},
		chat => {visitor_salt => $VISITOR_SALT},
	},
	conf => {fetch_private_ok => 'on', job_poll_ms => 20, job_threads => 2,
	         trusted_proxies => '127.0.0.1', handler_threads => 8});
my $lb = $c->lb;
my @node = $c->nodes;
my $ipn = 0;
sub fresh_ip { sprintf '198.51.%d.%d', int(++$ipn / 250), $ipn % 250 + 1 }

sub wait_for {
	my ($what, $cond, $secs) = @_;
	my $end = time + ($secs // 30);
	while (time < $end) { return 1 if $cond->(); sleep 0.1 }
	diag "timed out waiting for $what";
	return 0;
}

# Runs $code->($i) in $k child processes at once; returns their results
# (each a line of text) in order.
sub parallel {
	my ($k, $code) = @_;
	my @kids;
	for my $i (0 .. $k - 1) {
		pipe my $r, my $w or die "pipe: $!";
		my $pid = fork // die "fork: $!";
		if (!$pid) {
			close $r;
			my $out = eval { $code->($i) } // "died: $@";
			print {$w} $out;
			close $w;
			POSIX::_exit(0);
		}
		close $w;
		push @kids, [$pid, $r];
	}
	my @out;
	for (@kids) {
		my ($pid, $r) = @$_;
		local $/;
		push @out, scalar(<$r>) // '';
		waitpid $pid, 0;
	}
	return @out;
}

subtest 'migrations run once when three processes start together' => sub {
	my $rows = $c->sql('SELECT count(*), count(DISTINCT (plugin, version)) FROM schema_migrations');
	my ($n, $distinct) = @{$rows->[0]};
	ok $n >= 8, "schema_migrations has the plugins' migrations ($n)";
	is $n, $distinct, 'no migration recorded twice';
	my $applied = 0;
	for my $i (0 .. $c->n - 1) {
		my $log = CarBot::Test::_slurp($c->node_log($i));
		$applied += () = $log =~ /applied migration/g;
	}
	is $applied, $n, 'each migration applied by exactly one of the three';
	is $_->get('/readyz')->{status}, 200, 'node on port ' . $_->port . ' ready' for @node;
};

subtest 'HAProxy spreads requests over all three' => sub {
	my %by;
	$by{$lb->get('/healthz')->{headers}{'x-served-by'} // '?'}++ for 1 .. 9;
	is_deeply [sort keys %by], [qw(c0 c1 c2)], 'served by c0, c1 and c2';
	is $by{$_}, 3, "$_ served 3 of 9 (round robin)" for qw(c0 c1 c2);
};

my $o = CarBot::Chat::owner($lb, tier => 'premium');

subtest 'the per-IP limit is counted once over all three processes' => sub {
	my $ip = fresh_ip();
	my (@status, %served_ok);
	for (1 .. 3 * $IP_LIMIT) {
		my $r = CarBot::Chat::init($lb, $o, headers => {ip => $ip});
		push @status, $r->{status};
		$served_ok{$r->{headers}{'x-served-by'}}++ if $r->{status} == 200;
	}
	my $ok = grep { $_ == 200 } @status;
	is $ok, $IP_LIMIT, "exactly $IP_LIMIT of " . 3 * $IP_LIMIT . ' allowed (not 3 x the limit)';
	is_deeply [@status[0 .. $IP_LIMIT - 1]], [(200) x $IP_LIMIT], 'the first ones';
	is_deeply [grep { $_ != 200 } @status], [(429) x (2 * $IP_LIMIT)], 'the rest 429';
	is scalar(keys %served_ok), 3, 'the allowed ones came from all three processes';
	my $r = CarBot::Chat::init($node[2], $o, headers => {ip => $ip});
	is $r->{status}, 429, 'straight to one process: still limited';
	is $r->{json}{error}{code}, 'rate_limited', 'rate_limited';
	is CarBot::Chat::init($node[2], $o, headers => {ip => fresh_ip()})->{status}, 200,
	  'another IP is not';
};

subtest 'a revoked key is refused by every process at once' => sub {
	my $k = CarBot::Chat::owner($lb, tier => "premium");
	for my $i (0 .. 2) { # each process has let the key pass (and keeps a hint)
		is CarBot::Chat::init($node[$i], $k, headers => {ip => fresh_ip()})->{status}, 200,
		  "node $i accepts the key" for 1 .. 2;
	}
	my $d = $node[0]->del("/api/v1/client-keys/$k->{key_id}", headers => $k->{bearer});
	is $d->{status}, 204, 'revoked through node 0' or diag $d->{content};
	for my $i (0 .. 2) {
		my $r = CarBot::Chat::init($node[$i], $k, headers => {ip => fresh_ip()});
		is $r->{status}, 401, "node $i refuses it at once";
		is $r->{json}{error}{code}, 'invalid_client_key', '... invalid_client_key';
	}
	my $sw = CarBot::Chat::owner($lb, tier => "premium");
	CarBot::Chat::init($node[$_], $sw, headers => {ip => fresh_ip()}) for 0 .. 2;
	is $node[1]->patch("/api/v1/client-keys/$sw->{key_id}", headers => $sw->{bearer},
	                   json => {is_active => JSON::PP::false})->{status}, 200, 'switched off through node 1';
	is CarBot::Chat::init($node[$_], $sw, headers => {ip => fresh_ip()})->{status}, 401,
	  "node $_ refuses the switched-off key" for 0 .. 2;
};

subtest 'a changed page is served new by every process at once' => sub {
	my $u = CarBot::Landing::premium($lb);
	my $sub = CarBot::Landing::subdomain();
	my $p = CarBot::Landing::published($node[0], $u, subdomain => $sub);
	my $host = "$sub.$CarBot::Landing::BASE";
	for my $i (0 .. 2) { # cached in every process
		like CarBot::Landing::host_get($node[$i], $host, '/')->{content}, qr/Autohaus Muster/,
		  "node $i serves the page" for 1 .. 2;
	}
	my $h = CarBot::Auth::bearer($u->{access});
	is $node[1]->patch("/api/v1/landing-pages/$p->{id}", headers => $h,
	                   json => {configuration => {business_name => 'Zweirad Neu'}})->{status}, 200,
	  'changed through node 1';
	is $node[1]->post("/api/v1/landing-pages/$p->{id}/publish", headers => $h)->{status}, 200,
	  'published again';
	for my $i (0 .. 2) {
		like CarBot::Landing::host_get($node[$i], $host, '/')->{content}, qr/Zweirad Neu/,
		  "node $i serves the new version";
	}
	is $node[2]->post("/api/v1/landing-pages/$p->{id}/unpublish", headers => $h)->{status}, 200,
	  'unpublished through node 2';
	is CarBot::Landing::host_get($node[$_], $host, '/')->{status}, 404, "node $_: 404" for 0 .. 2;
};

subtest 'a job runs exactly once however many processes poll' => sub {
	my @ids;
	for my $i (1 .. 40) {
		my $r = $lb->post('/t/job', json => {tag => "once-$$-$i", fail => 0});
		push @ids, $r->{json}{job_id} if $r->{status} == 202;
	}
	is scalar @ids, 40, '40 jobs queued through the load balancer';
	my $list = join ',', @ids;
	ok wait_for('jobs done', sub {
		$c->sql("SELECT count(*) FROM cb_jobs WHERE id IN ($list) AND status = 'done'")->[0][0] == 40;
	}, 60), 'all done';
	my $runs = $c->sql("SELECT tag, count(*) FROM testkit_job_runs WHERE tag LIKE 'once-$$-%' GROUP BY tag");
	is scalar @$runs, 40, 'every job ran';
	is_deeply [grep { $_->[1] != 1 } @$runs], [], 'none ran twice';
	is $c->sql("SELECT max(attempts) FROM cb_jobs WHERE id IN ($list)")->[0][0], 1, 'one attempt each';
};

subtest 'usage counts add up exactly over concurrent requests to three processes' => sub {
	my $k = CarBot::Chat::owner($lb, tier => 'premium');
	my ($kids, $each) = (4, 10);
	my @out = parallel($kids, sub {
		my ($i) = @_;
		my $ip = sprintf '203.0.113.%d', $i + 1;
		my $r = CarBot::Chat::init($lb, $k, headers => {ip => $ip});
		return "init $r->{status}" unless $r->{status} == 200;
		my $sid = $r->{json}{session_id};
		my ($ok, %by) = (0);
		for my $m (1 .. $each) {
			my $ip2 = sprintf '203.0.%d.%d', 114 + $i, $m;
			my $x = CarBot::Chat::chat($lb, $k, $sid, "Wann habt ihr offen? $m", headers => {ip => $ip2});
			$ok++ if $x->{status} == 200;
			$by{$x->{headers}{'x-served-by'} // '?'} = 1;
		}
		return "$ok " . join ',', sort keys %by;
	});
	my $total = 0;
	my %nodes;
	for (@out) {
		my ($ok, $by) = /^(\d+) (\S+)$/ or do { fail "child: $_"; next };
		$total += $ok;
		$nodes{$_} = 1 for split /,/, $by;
	}
	is $total, $kids * $each, 'every message answered 200';
	is_deeply [sort keys %nodes], [qw(c0 c1 c2)], 'by all three processes';
	my $g = $node[1]->get("/api/v1/client-keys/$k->{key_id}", headers => $k->{bearer})->{json};
	is $g->{usage}{messages}{used}, $kids * $each, 'usage: messages add up exactly';
	is $g->{usage}{conversations}{used}, $kids, 'usage: conversations add up exactly';
	my $rows = $c->sql("SELECT count(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id
	                    WHERE v.client_key_id = :'p1' AND m.role = 'user'", $k->{key_id});
	is $rows->[0][0], $kids * $each, 'one stored visitor message per 200';
	ok wait_for('flush', sub {
		my $f = $c->sql("SELECT conversations || '/' || messages FROM client_key_usage WHERE key_id = :'p1'",
		                $k->{key_id});
		@$f && $f->[0][0] eq "$kids/" . $kids * $each;
	}, 30), 'flushed to client_key_usage exactly';
};

done_testing;
