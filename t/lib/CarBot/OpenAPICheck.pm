package CarBot::OpenAPICheck;
# The response hook of CarBot::Test::req: every JSON answer of an /api/ or
# /internal/ route is checked against the operation's response schema in the
# document the same carbotd serves (GET /api/v1/openapi.json), so a shape
# that drifts from its description fails the test that saw it.
#
# JSON::Validator (Debian's libjson-validator-perl) validates with its JSON
# Schema 2019-09 dialect: OpenAPI 3.1's schemas are JSON Schema 2020-12, and
# what our fragments use (type lists for null, $ref, enum, required,
# properties, items) means the same in both; its OpenAPIv3 class knows only
# OpenAPI 3.0. In process (no helper process to start or to lose), and each
# (document, operation, status) compiles once per test process.
#
# CARBOT_OPENAPI_CHECK=0 turns the hook off; a request may pass
# openapi_check => 0 (a test that sends a deliberately undescribed request).
use strict;
use warnings;
use Digest::SHA qw(sha1_hex);
use HTTP::Tiny;
use JSON::PP;
use Test::More ();

my $JSON = JSON::PP->new->utf8->canonical;
my (%DOC, %COMPILED, $LOADED);

sub enabled { ($ENV{CARBOT_OPENAPI_CHECK} // '1') ne '0' }

# The server's document (cached per base URL): {doc, digest, paths => [[re, template]...]}.
sub _doc {
	my ($base) = @_;
	return $DOC{$base} if $DOC{$base};
	(my $url = $base) =~ s/#.*//s; # after '#': carbotd's pid, as a restart may change plugins
	my $r = HTTP::Tiny->new(timeout => 30, proxy => undef, http_proxy => undef)
	                  ->get("$url/api/v1/openapi.json");
	return undef unless $r->{success}; # not kept: carbotd may be down for a moment
	my $doc = eval { $JSON->decode($r->{content}) } or return undef;
	my @paths;
	for my $tpl (keys %{$doc->{paths} || {}}) {
		(my $re = quotemeta $tpl) =~ s/\\\{\w+\\\}/[^\/]+/g;
		push @paths, [qr/^$re$/, $tpl, scalar(() = $tpl =~ /\{/g)];
	}
	@paths = sort { $a->[2] <=> $b->[2] || length $b->[1] <=> length $a->[1] } @paths;
	return $DOC{$base} = {doc => $doc, digest => sha1_hex($r->{content}), paths => \@paths};
}

sub _pointer_part { my $s = shift; $s =~ s/~/~0/g; $s =~ s{/}{~1}g; $s }

sub _validator {
	my ($d, $ptr) = @_;
	my $key = "$d->{digest} $ptr";
	return $COMPILED{$key} if $COMPILED{$key};
	unless ($LOADED++) { require JSON::Validator::Schema::Draft201909 }
	# the whole document as the root, so "#/components/..." resolves
	my %root = (%{$d->{doc}}, '$ref' => "#$ptr");
	delete $root{openapi}; # not a schema keyword
	return $COMPILED{$key} = JSON::Validator::Schema::Draft201909->new(\%root);
}

# Returns a list of problems (empty when the answer matches its description).
sub problems {
	my ($base, $method, $path, $res, $undescribed) = @_;
	$path =~ s/[?#].*//s;
	return () unless $path =~ m{^/(api|internal)/} && $path ne '/api/v1/openapi.json';
	my $ctype = $res->{headers}{'content-type'} // '';
	return () if $res->{status} >= 599; # HTTP::Tiny's own failure
	my $d = _doc($base) or return ();
	my ($tpl) = map { $_->[1] } grep { $path =~ $_->[0] } @{$d->{paths}};
	my $m = lc $method;
	$m = 'get' if $m eq 'head';
	my $op = defined $tpl ? $d->{doc}{paths}{$tpl}{$m} : undef;
	return () if !$op && $m eq 'options';
	# no such route: the router's own 404/405 still has the error shape
	return _error_shape($d, $method, $path, $res) if !$op && $res->{status} =~ /^40[45]$/;
	# a plugin from outside the repository (sdk/examples) without a
	# description: carbotd said so at startup, t/openapi.t holds ours to it
	return () if !defined $tpl && $undescribed && grep { $path =~ $_ } $undescribed->();
	return ("$method $path: no path of the document matches") unless defined $tpl;
	return ("$method $path: $tpl has no $m operation") unless $op;
	my $st = $res->{status};
	my ($key) = grep { exists $op->{responses}{$_} } ($st, substr($st, 0, 1) . 'XX', 'default');
	return ("$method $path: status $st is not described") unless defined $key;
	my $resp = $op->{responses}{$key};
	my $rptr = "/paths/" . _pointer_part($tpl) . "/$m/responses/$key";
	if ($resp->{'$ref'}) {
		($rptr = $resp->{'$ref'}) =~ s/^#//;
		$resp = $d->{doc};
		$resp = $resp->{$_ =~ s/~1/\//gr =~ s/~0/~/gr} for grep { length } split m{/}, $rptr;
	}
	return () unless $ctype =~ m{^application/json} && length($res->{content} // '');
	my $schema = $resp->{content}{'application/json'}{schema};
	return ("$method $path: a JSON body for status $st, but its description has none")
		unless $schema;
	return ("$method $path: the body is not JSON") unless defined $res->{json};
	my @e = _validator($d, "$rptr/content/application~1json/schema")->validate($res->{json});
	return map { "$method $path ($st): $_" } @e;
}

sub _error_shape {
	my ($d, $method, $path, $res) = @_;
	return () unless ($res->{headers}{'content-type'} // '') =~ m{^application/json};
	return ("$method $path: the body is not JSON") unless defined $res->{json};
	my @e = _validator($d, '/components/schemas/Error')->validate($res->{json});
	return map { "$method $path ($res->{status}): $_" } @e;
}

# The hook: one failing test per drifting answer, nothing when it matches.
# $t: the CarBot::Test whose carbotd answered (its log names the routes it
# found undescribed).
sub check {
	my ($t, $base, $method, $path, $res) = @_;
	return unless enabled();
	my $undescribed = sub {
		my @re;
		for (@{$t->log_lines}) {
			next unless ($_->{msg} // '') =~ /^route \S+ (\S+) \(plugin '[^']*'\) has no OpenAPI description/;
			(my $re = quotemeta $1) =~ s/\\\{\w+\\\}/[^\/]+/g;
			push @re, qr/^$re$/;
		}
		return @re;
	};
	my @p = eval { problems($base, $method, $path, $res, $undescribed) };
	@p = ("openapi check of $method $path died: $@") if $@;
	return unless @p;
	local $Test::Builder::Level = $Test::Builder::Level + 2;
	Test::More::ok(0, "the answer of $method $path matches the OpenAPI document");
	Test::More::diag($_) for @p;
	Test::More::diag("body: " . substr($res->{content} // '', 0, 2000));
}

1;
