# The reviews example's own tests, run against a reviews.so built out of tree:
#   REVIEWS_SO=/path/reviews.so prove -I/path/to/carbot/t/lib t/reviews.t
# (t/sdk-reviews.t in the CarBot tree builds it and runs this file.)
use strict;
use warnings;
use utf8;
use Test::More;
use CarBot::Test;
use CarBot::Auth qw(bearer);

my $so = $ENV{REVIEWS_SO} or plan skip_all => 'REVIEWS_SO names the built reviews.so';
my $t = CarBot::Auth::server(test_plugins => ['testkit'],
	extra_conf => "[plugin reviews]\nfile = $so\nmax_per_page = 3\n");
my $R = '/api/v1/reviews';

sub user {
	my ($tier) = @_;
	my $u = CarBot::Auth::register($t);
	CarBot::Auth::set_tier($t, $u->{id}, $tier) if $tier;
	return {%$u, h => bearer($u->{access})};
}
sub post { my ($u, $j) = @_; return $t->post($R, headers => $u->{h}, json => $j) }
sub fields { return [sort map { "$_->{field}:$_->{issue}" } @{$_[0]{json}{error}{details} || []}] }

my $pro = user('premium');

subtest 'create: validated, stored, answered as JSON with an ISO 8601 UTC time' => sub {
	my $r = post($pro, {rating => 5, title => 'Schnell und günstig', body => 'Gern wieder.'});
	is $r->{status}, 201, '201';
	like $r->{json}{id}, qr/^[0-9a-f-]{36}$/, 'an id';
	is $r->{json}{rating}, 5, 'rating is a number';
	like $r->{json}{created_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'created_at in UTC';
	is $r->{json}{body}, 'Gern wieder.', 'body';
	is_deeply fields(post($pro, {})), ['rating:missing', 'title:missing'], 'missing fields, all at once';
	is_deeply fields(post($pro, {rating => 6, title => ''})), ['rating:range', 'title:too_short'], 'out of range';
	is_deeply fields(post($pro, {rating => '5', title => 7})), ['rating:type', 'title:type'], 'wrong types';
	my $long = post($pro, {rating => 3, title => 'ä' x 81});
	is_deeply fields($long), ['title:too_long'], '81 characters: too long';
	like $long->{json}{error}{details}[0]{message}, qr/80 characters/, 'said in characters';
	is post($pro, {rating => 3, title => 'ä' x 80})->{status}, 201, '80 two-byte characters fit';
	is $t->post($R, json => {rating => 1, title => 'x'})->{status}, 401, 'no token: 401';
};

subtest 'its own permission: basic may read but not write' => sub {
	my $basic = user();
	my $r = post($basic, {rating => 4, title => 'ok'});
	is $r->{status}, 403, 'create:own_reviews is premium';
	like $r->{json}{error}{message}, qr/create:own_reviews/, 'names it';
	is $t->get($R, headers => $basic->{h})->{status}, 200, 'read:own_reviews is every tier';
};

subtest 'list: pagination, filters, order, query checks' => sub {
	my $u = user('enterprise');
	post($u, {rating => $_, title => "r$_"}) for 1 .. 5;
	my $r = $t->get("$R?limit=2", headers => $u->{h});
	is $r->{status}, 200, '200';
	is_deeply [map { $_->{title} } @{$r->{json}{reviews}}], ['r5', 'r4'], 'newest first';
	is_deeply $r->{json}{pagination}, {page => 1, limit => 2, total => 5, has_more => JSON::PP::true},
	  'the pagination object';
	$r = $t->get("$R?limit=2&page=3&order=oldest", headers => $u->{h});
	is_deeply [map { $_->{title} } @{$r->{json}{reviews}}], ['r5'], 'oldest first, last page';
	is $r->{json}{pagination}{has_more}, JSON::PP::false, 'no more';
	$r = $t->get("$R?min_rating=4", headers => $u->{h});
	is $r->{json}{pagination}{total}, 2, 'min_rating filters';
	is $r->{json}{pagination}{limit}, 3, 'the default limit is capped by max_per_page';
	$r = $t->get("$R?limit=4&page=0&min_rating=x&order=best", headers => $u->{h});
	is $r->{status}, 400, 'bad query: 400';
	is_deeply fields($r), ['limit:range', 'min_rating:type', 'order:invalid', 'page:range'],
	  'every bad parameter, in the JSON checks\' shape';
};

subtest 'get and delete: the owner only' => sub {
	my $mine = post($pro, {rating => 2, title => 'mine'})->{json};
	my $other = user('premium');
	is $t->get("$R/$mine->{id}", headers => $pro->{h})->{json}{title}, 'mine', 'the owner gets it';
	is $t->get("$R/$mine->{id}", headers => $other->{h})->{status}, 404, 'another user: 404';
	is $t->del("$R/$mine->{id}", headers => $other->{h})->{status}, 404, 'nor delete it';
	is $t->get("$R/not-a-uuid", headers => $pro->{h})->{status}, 404, 'a malformed id: 404';
	is $t->del("$R/$mine->{id}", headers => $pro->{h})->{status}, 204, 'the owner deletes it';
	is $t->get("$R/$mine->{id}", headers => $pro->{h})->{status}, 404, 'gone';
};

subtest 'the user.erasing hook deletes the user\'s reviews' => sub {
	my $u = user('premium');
	post($u, {rating => 5, title => 'bye'});
	my $keep = $t->sql("SELECT count(*) FROM reviews_reviews WHERE user_id <> :'p1'", $u->{id})->[0][0];
	my $r = $t->post('/t/emit/user.erasing', json => {user_id => $u->{id}});
	is $r->{json}{result}, 'CB_OK', 'emitted';
	is $t->sql("SELECT count(*) FROM reviews_reviews WHERE user_id = :'p1'", $u->{id})->[0][0], 0, 'erased';
	is $t->sql("SELECT count(*) FROM reviews_reviews WHERE user_id <> :'p1'", $u->{id})->[0][0], $keep,
	  'nobody else\'s';
};

done_testing;
