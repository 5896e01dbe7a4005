# The billing endpoints' edges: the public plans; checkout's input checks
# (missing, wrong types, oversized, unknown plan, the free plan, a "contact
# us" plan, same plan); credentials (none, expired, tampered); another user's
# billing is never shown; the Decline button; Stripe slow or down -> 502
# payment_provider_unavailable with nothing written.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use HTTP::Tiny;
use POSIX ();
use CarBot::Test;
use CarBot::Auth;
use CarBot::Stripe;

my ($t, $s) = CarBot::Stripe::server(billing => {stripe_timeout_ms => 1000});
sub tier { CarBot::Stripe::tier($t, @_) }
sub checkout {
	my ($u, $body, %h) = @_;
	return $t->post('/api/v1/billing/checkout', json => $body,
	                headers => {%{$u ? bearer($u->{access}) : {}}, %h});
}
sub rows_of {
	my ($u) = @_;
	return $t->sql("SELECT (SELECT count(*) FROM billing_customers WHERE user_id = :'p1') + "
	             . "(SELECT count(*) FROM billing_subscriptions WHERE user_id = :'p1')", $u->{id})->[0][0];
}

subtest 'GET /api/v1/billing/plans is public and says it is test mode' => sub {
	my $r = $t->get('/api/v1/billing/plans');
	is $r->{status}, 200, '200 without a token';
	is $r->{json}{test_mode}, JSON::PP::true, 'test_mode true (a sk_test_ key)';
	my %p = map { $_->{id} => $_ } @{$r->{json}{plans}};
	is_deeply [map { $_->{id} } @{$r->{json}{plans}}], [qw(basic premium enterprise)], 'three plans in order';
	is_deeply $p{premium}{prices}, [{interval => 'month', amount => 4900, currency => 'EUR'},
	                                {interval => 'year', amount => 49000, currency => 'EUR'}], 'premium\'s prices in cents';
	is_deeply $p{premium}{limits}, {api_requests_per_15min => 500, conversations => 5000, messages => 50000,
	                                client_keys => 20, landing_pages => 5, custom_domains => 1}, 'premium\'s limits';
	is $p{enterprise}{limits}{messages}, undef, 'enterprise: unlimited messages (null)';
	is $p{basic}{limits}{api_requests_per_15min}, 100, 'basic: 100 requests per 15 min';
	is $p{premium}{purchase}, 'checkout', 'premium is bought by checkout';
	is $p{enterprise}{purchase}, 'contact', 'enterprise is "contact us"';
	ok $p{enterprise}{contact_url}, 'with a contact URL';
	is $p{basic}{purchase}, 'free', 'basic is free';
	ok grep({ $_ eq 'landing_pages' } @{$p{premium}{features}}), 'features listed';
};

subtest 'checkout: input checks' => sub {
	my $u = CarBot::Stripe::user($t);
	my @cases = (
		[{}, 400, 'validation_failed', 'no plan'],
		[{plan => 7}, 400, 'validation_failed', 'plan is a number'],
		[{plan => ['premium']}, 400, 'validation_failed', 'plan is an array'],
		[{plan => 'p' x 33}, 400, 'validation_failed', 'plan over 32 bytes'],
		[{plan => 'premium', interval => 'week'}, 400, 'validation_failed', 'interval week'],
		[{plan => 'premium', interval => 12}, 400, 'validation_failed', 'interval a number'],
		[{plan => 'gold'}, 400, 'unknown_plan', 'an unknown plan'],
		[{plan => 'basic'}, 400, 'plan_not_purchasable', 'the free plan'],
		[{plan => 'enterprise'}, 400, 'contact_sales', 'a contact-us plan'],
	);
	for my $c (@cases) {
		my $r = checkout($u, $c->[0]);
		is $r->{status}, $c->[1], "$c->[3]: $c->[1]";
		is $r->{json}{error}{code}, $c->[2], "$c->[3]: $c->[2]";
	}
	my $r = $t->post('/api/v1/billing/checkout', body => 'plan=premium',
	                 headers => {%{bearer($u->{access})}, 'Content-Type' => 'application/x-www-form-urlencoded'});
	is $r->{status}, 415, 'not JSON: 415';
	$r = $t->post('/api/v1/billing/checkout', body => '{"plan":', headers => {%{bearer($u->{access})}, 'Content-Type' => 'application/json'});
	is $r->{status}, 400, 'malformed JSON: 400';
	is rows_of($u), 0, 'none of it wrote anything';
	is scalar(keys %{$s->state->{sessions}}), 0, 'or made a session at Stripe';
};

subtest 'a double click at once makes one customer and one session' => sub {
	my $u = CarBot::Stripe::user($t);
	my @pids;
	pipe(my $rd, my $wr) or die;
	for (1 .. 4) {
		my $pid = fork // die;
		if (!$pid) {
			close $rd;
			my $r = HTTP::Tiny->new->post($t->url('/api/v1/billing/checkout'),
				{content => '{"plan":"premium"}', headers => {'Content-Type' => 'application/json', %{bearer($u->{access})}}});
			my $id = $r->{status} == 200 ? (JSON::PP->new->decode($r->{content})->{id} // '') : "status $r->{status}";
			syswrite $wr, "$id\n";
			POSIX::_exit(0);
		}
		push @pids, $pid;
	}
	close $wr;
	waitpid $_, 0 for @pids;
	my @ids = map { chomp; $_ } <$rd>;
	is scalar @ids, 4, 'four answers';
	like $ids[0], qr/^cs_test_/, 'a session';
	is scalar(keys %{{map { $_ => 1 } @ids}}), 1, 'all the same session';
	is $t->sql("SELECT count(*) FROM billing_customers WHERE user_id = :'p1'", $u->{id})->[0][0], 1, 'one customer row';
	is scalar(grep { ($_->{metadata}{user_id} // '') eq $u->{id} } values %{$s->state->{customers}}), 1,
		'and one customer at Stripe';
};

subtest 'credentials' => sub {
	my $u = CarBot::Stripe::user($t);
	for my $route (['POST', '/api/v1/billing/checkout'], ['POST', '/api/v1/billing/portal'],
	               ['GET', '/api/v1/billing/subscription'], ['GET', '/api/v1/billing/invoices']) {
		my ($m, $p) = @$route;
		is $t->req($m, $p, json => {plan => 'premium'})->{status}, 401, "$m $p without a token: 401";
		my $expired = CarBot::Auth::jwt({alg => 'HS256', typ => 'JWT'},
			CarBot::Auth::claims($u->{id}, $u->{email}, iat => time - 2000, exp => time - 1000), $CarBot::Auth::SECRET);
		is $t->req($m, $p, json => {plan => 'premium'}, headers => bearer($expired))->{status}, 401, "$m $p expired: 401";
		(my $tampered = $u->{access}) =~ s/\.([^.]+)$/'.' . reverse($1)/e;
		is $t->req($m, $p, json => {plan => 'premium'}, headers => bearer($tampered))->{status}, 401, "$m $p tampered: 401";
	}
	is $t->get('/api/v1/billing/metrics', headers => {'X-Forwarded-For' => '203.0.113.9'})->{status}, 200,
		'metrics from loopback (X-Forwarded-For is not trusted by default)';
};

subtest 'another user\'s billing is never shown' => sub {
	my ($a, $b) = (CarBot::Stripe::user($t), CarBot::Stripe::user($t));
	my $c = checkout($a, {plan => 'premium'});
	$s->pay($c->{json}{url});
	ok wait_for(sub { tier($a) eq 'premium/active' }), 'A pays and is premium';
	is scalar @{$t->get('/api/v1/billing/invoices', headers => bearer($a->{access}))->{json}{invoices}}, 1, 'A has an invoice';
	is_deeply $t->get('/api/v1/billing/invoices', headers => bearer($b->{access}))->{json}, {invoices => []}, 'B sees none';
	my $r = $t->post('/api/v1/billing/portal', headers => bearer($b->{access}));
	is $r->{status}, 409, 'B has no billing account: portal 409';
	is $r->{json}{error}{code}, 'no_billing_account', 'no_billing_account';
	is $t->get('/api/v1/billing/subscription', headers => bearer($b->{access}))->{json}{status}, 'trialing',
		'B\'s subscription is B\'s';
	is tier($b), 'premium/trialing', 'B unchanged';
	my $p = $t->post('/api/v1/billing/portal', headers => bearer($a->{access}))->{json}{url};
	my $portal = (grep { $p =~ /\Q$_->{id}\E$/ } values %{$s->state->{portals}})[0];
	is $portal->{customer}, $t->sql("SELECT stripe_customer_id FROM billing_customers WHERE user_id = :'p1'", $a->{id})->[0][0],
		'A\'s portal session is for A\'s customer';
};

subtest 'the Decline button fails the session and changes nothing' => sub {
	my $u = CarBot::Stripe::user($t);
	$t->sql("UPDATE users SET subscription_tier = 'basic', subscription_status = 'active', trial_ends_at = now() - interval '1 day' WHERE id = :'p1'", $u->{id});
	my $c = checkout($u, {plan => 'premium', interval => 'year'});
	my (undef, $res) = $s->pay($c->{json}{url}, 'decline');
	my $sess = (grep { $_->{id} eq $c->{json}{id} } values %{$s->state->{sessions}})[0];
	is $sess->{status}, 'expired', 'the session is expired';
	ok wait_for(sub { $t->sql("SELECT count(*) FROM billing_events WHERE type = 'checkout.session.expired' AND processed_at IS NOT NULL")->[0][0] >= 1 }),
		'its event was processed';
	is tier($u), 'basic/active', 'still basic';
};

subtest 'Stripe slow or down: 502 payment_provider_unavailable, nothing written' => sub {
	my $u = CarBot::Stripe::user($t);
	$s->ctl('config', {delay_ms => 2500});
	my $r = checkout($u, {plan => 'premium'});
	is $r->{status}, 502, 'checkout while Stripe is slower than stripe_timeout_ms: 502';
	is $r->{json}{error}{code}, 'payment_provider_unavailable', 'payment_provider_unavailable';
	is $t->post('/api/v1/billing/portal', headers => bearer($u->{access}))->{status}, 409, '(portal: no account yet)';
	$s->ctl('config', {delay_ms => 0});
	is rows_of($u), 0, 'no customer or subscription row';
	is tier($u), 'premium/trialing', 'the tier unchanged';

	# with a customer already: the session call fails, still nothing new
	my $ok = checkout($u, {plan => 'premium'});
	is $ok->{status}, 200, 'with Stripe back: 200';
	my $before = rows_of($u);
	$s->stop;
	$r = checkout($u, {plan => 'premium', interval => 'year'});
	is $r->{status}, 502, 'Stripe gone: 502';
	is $r->{json}{error}{code}, 'payment_provider_unavailable', 'payment_provider_unavailable';
	is $t->get('/api/v1/billing/invoices', headers => bearer($u->{access}))->{status}, 502, 'invoices: 502';
	is $t->post('/api/v1/billing/portal', headers => bearer($u->{access}))->{status}, 502, 'portal: 502';
	is rows_of($u), $before, 'no rows changed';
	is $t->get('/api/v1/billing/subscription', headers => bearer($u->{access}))->{status}, 200,
		'GET subscription needs no Stripe';
	my $lines = $t->log;
	unlike $lines, qr/\Q$API_KEY\E/, 'the API key is never logged';
};

done_testing;
