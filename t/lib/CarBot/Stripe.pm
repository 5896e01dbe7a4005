package CarBot::Stripe;
# The Stripe stand-in (scripts/stripe-standin/server.js) for the billing
# tests: a real HTTP server on loopback speaking the part of Stripe's API the
# billing plugin calls, delivering signed webhooks to carbotd.
#
#   my ($t, $s) = CarBot::Stripe::server(billing => {...});   # carbotd + stand-in
#   $s->ctl('config', {hold => JSON::PP::true});                # /_standin/config
#   $s->api('POST', '/v1/customers', email => 'a@b.de');        # Stripe's API, as a client
#   my $h = CarBot::Stripe::sign([{payload => $body, secret => $SECRET}]);  # npm stripe
use strict;
use warnings;
use Exporter 'import';
use HTTP::Tiny;
use JSON::PP;
use IPC::Open2 ();
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use CarBot::Test;
use CarBot::Auth;

our @EXPORT = qw($API_KEY $WEBHOOK_SECRET wait_for);

our $API_KEY = 'sk_test_standin_' . ('x' x 16);
our $WEBHOOK_SECRET = 'whsec_test_' . ('w' x 24);
my $DIR = "$CarBot::Test::ROOT/scripts/stripe-standin";
my $JSON = JSON::PP->new->utf8->canonical;
my $HTTP = HTTP::Tiny->new(timeout => 30, proxy => undef, http_proxy => undef, keep_alive => 0);

# Starts the stand-in delivering webhooks to $webhook_url.
sub start {
	my ($class, %o) = @_;
	die "run make: $DIR/node_modules is missing\n" unless -d "$DIR/node_modules/stripe";
	pipe(my $r, my $w) or die "pipe: $!";
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		close $r;
		open STDOUT, '>&', $w or die;
		open STDIN, '<', '/dev/null' or die;
		setpgrp(0, 0);
		# secrets through the environment, as scripts/run.sh hands them over
		$ENV{STANDIN_API_KEY} = $o{api_key} // $API_KEY;
		$ENV{STANDIN_WEBHOOK_SECRET} = $o{webhook_secret} // $WEBHOOK_SECRET;
		exec 'node', "$DIR/server.js", '--port', '0', '--webhook-url', $o{webhook_url} // '';
		die "exec node: $!";
	}
	close $w;
	my $line = <$r>;
	die "the Stripe stand-in did not start\n" unless $line && $line =~ m{listening on (http://\S+)};
	return bless {pid => $pid, url => $1, out => $r, parent => $$}, $class;
}

sub url { $_[0]{url} . ($_[1] // '') }

# POST /_standin/NAME with a JSON body (or GET when $body is undef and
# $method says so); returns the decoded answer.
sub ctl {
	my ($self, $name, $body, $method) = @_;
	my $r = $HTTP->request($method // 'POST', $self->url("/_standin/$name"),
		{headers => {'Content-Type' => 'application/json'}, content => $JSON->encode($body // {})});
	return eval { $JSON->decode($r->{content}) } // {status => $r->{status}};
}

sub state { $_[0]->ctl('state', undef, 'GET') }

# A call to the stand-in's Stripe API as a client would make it (form-encoded).
sub api {
	my ($self, $method, $path, @form) = @_;
	my $body = $HTTP->www_form_urlencode(\@form);
	my $r = $HTTP->request($method, $self->url($path),
		{headers => {Authorization => "Bearer $API_KEY",
		             'Content-Type' => 'application/x-www-form-urlencoded'},
		 ($method eq 'GET' ? () : (content => $body))});
	return {status => $r->{status}, json => eval { $JSON->decode($r->{content}) }};
}

# Follows a checkout URL like a browser: GET the page, then POST its Pay (or
# Decline) form. Returns the page and the form's response.
sub pay {
	my ($self, $url, $action) = @_;
	$action //= 'pay';
	my $page = $HTTP->get($url);
	my ($form) = $page->{content} =~ m{<form method="post" action="([^"]*/$action)"};
	my $res = $form ? $HTTP->request('POST', $self->url($form),
		{headers => {'Content-Type' => 'application/x-www-form-urlencoded'},
		 content => "action=$action"}) : undef;
	# HTTP::Tiny follows the 303 to success_url; record only what the stand-in said.
	return ($page, $res);
}

sub stop {
	my ($self) = @_;
	return unless $self->{pid} && $$ == $self->{parent};
	kill 'TERM', $self->{pid};
	waitpid $self->{pid}, 0;
	delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

# Headers from the npm stripe package's generateTestHeaderString, one per
# {payload, secret, timestamp?, scheme?}.
sub sign {
	my ($list) = @_;
	my $pid = IPC::Open2::open2(my $out, my $in, 'node', "$DIR/sign.js");
	print {$in} $JSON->encode($list);
	close $in;
	local $/;
	my $text = <$out>;
	waitpid $pid, 0;
	return $JSON->decode($text);
}

# Polls $cond (a sub) every 0.1 s until true or $secs (default 30) passed;
# returns the last value.
sub wait_for {
	my ($cond, $secs) = @_;
	my $end = time + ($secs // 30);
	my $v;
	until (($v = $cond->()) || time > $end) { sleep 0.1 }
	return $v;
}

# carbotd (auth, keys, templates, landing, billing) and the stand-in; the
# harness is built first without starting, so the webhook URL knows its port.
# %opt: billing => {...} settings, auth => {...}, conf => {...}, standin => {...}.
sub server {
	my (%opt) = @_;
	require CarBot::Landing;
	my $t = CarBot::Test->new(start => 0);
	my $s = CarBot::Stripe->start(webhook_url => $t->url('/api/v1/billing/webhook'),
	                              %{$opt{standin} || {}});
	my $billing = {stripe_api_base => $s->url, stripe_api_key => $API_KEY,
	               webhook_secret => $WEBHOOK_SECRET, stripe_timeout_ms => 3000,
	               %{$opt{billing} || {}}};
	my $auth = {rate_basic => 100, rate_premium => 500, rate_enterprise => 2000,
	            %{$opt{auth} || {}}};
	$t->write_conf(path => $t->conf_path, CarBot::Landing::options(
		auth => $auth, more => ['keys', 'billing'], test_plugins => ['keysprobe'],
		plugin_conf => {keys => {key_secret => 'key-secret-' . ('s' x 40)}, billing => $billing},
		conf => {fetch_private_ok => 'on', job_poll_ms => 50, %{$opt{conf} || {}}}));
	$t->start_carbotd;
	return ($t, $s);
}

# A new user and their access token (trialing premium while billing runs).
sub user {
	my ($t) = @_;
	my $u = CarBot::Auth::register($t);
	die "register failed: $u->{status} $u->{content}" unless $u->{status} == 201;
	return $u;
}

sub tier {
	my ($t, $u) = @_;
	return $t->sql("SELECT subscription_tier || '/' || subscription_status FROM users WHERE id = :'p1'",
	               $u->{id})->[0][0];
}

1;
