# The optional LLM: an OpenAI-compatible /v1/chat/completions (a stub on
# loopback) gets the business's data and the conversation so far; on a 500,
# a timeout or malformed JSON the built-in engine answers.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use File::Temp ();
use CarBot::Chat;
use CarBot::Stub;

my $JSON = JSON::PP->new->utf8->canonical;
my $dir = File::Temp::tempdir('carbot-llm-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $n = 0;
my $stub = CarBot::Stub->new(routes => {
	'POST /v1/chat/completions' => sub {
		my ($req) = @_;
		open my $fh, '>', "$dir/req-" . time . "-$$" or die;
		print {$fh} $req->{body};
		close $fh;
		my $b = eval { $JSON->decode($req->{body}) } || {};
		my $last = $b->{messages}[-1]{content} // '';
		return [500, [], 'boom'] if $last =~ /fail500/;
		if ($last =~ /slow/) { sleep 3; return [200, [], '{}'] }
		return [200, ['Content-Type' => 'application/json'], '{"choices": [ {"mess'] if $last =~ /garbage/;
		return [200, ['Content-Type' => 'application/json'], '{"choices":[]}'] if $last =~ /empty/;
		return [200, ['Content-Type' => 'application/json'],
		        $JSON->encode({choices => [{message => {role => 'assistant', content => "  LLM: $last  "}}]})];
	},
});
my $t = CarBot::Chat::server(chat => {llm_url => $stub->url('/v1/chat/completions'), llm_model => 'test-model',
                                      llm_api_key => 'sk-test-123', llm_timeout_ms => 1000});
my $o = CarBot::Chat::owner($t, tier => 'enterprise');
$t->put("/api/v1/client-keys/$o->{key_id}/knowledge", headers => $o->{bearer},
        json => {prices => [{service => 'Zahnriemen', price => '450 €'}]});

sub requests {
	opendir my $d, $dir or die;
	my @f = sort grep { /^req-/ } readdir $d;
	return map { open my $fh, '<', "$dir/$_" or die; local $/; $JSON->decode(<$fh>) } @f;
}

subtest 'success: the LLM answers, with the business\'s data and the history' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my $r1 = CarBot::Chat::chat($t, $o, $sid, 'Erste Frage');
	my $r2 = CarBot::Chat::chat($t, $o, $sid, 'Zweite Frage');
	is $r2->{status}, 200, 'status 200';
	is $r2->{json}{response}, 'LLM: Zweite Frage', 'the LLM\'s answer, trimmed';
	my @req = requests();
	my $last = $req[-1];
	is $last->{model}, 'test-model', 'model';
	is $last->{messages}[0]{role}, 'system', 'a system prompt';
	like $last->{messages}[0]{content}, qr/Zahnriemen: 450 €/, 'with the price list';
	like $last->{messages}[0]{content}, qr/Never state a price/, 'and the rule about prices';
	is_deeply [map { [$_->{role}, $_->{content}] } @{$last->{messages}}[1 .. 3]],
	          [['user', 'Erste Frage'], ['assistant', 'LLM: Erste Frage'], ['user', 'Zweite Frage']],
	          'the conversation so far from the Redis context';
	my $src = $t->sql("SELECT m.metadata->>'source' FROM messages m JOIN conversations c ON c.id = m.conversation_id "
	                  . "WHERE c.session_id = :'p1' AND m.role = 'assistant'", $sid);
	is_deeply $src, [['llm'], ['llm']], 'answers marked as the LLM\'s';
	unlike $t->log, qr/sk-test-123/, 'the API key is not logged';
};

for my $case (['fail500', 'a 500'], ['slow', 'a timeout'], ['garbage', 'malformed JSON'], ['empty', 'no choices']) {
	my ($word, $what) = @$case;
	subtest "$what: the built-in engine answers" => sub {
		my $sid = CarBot::Chat::session($t, $o);
		my $t0 = time;
		my $r = CarBot::Chat::chat($t, $o, $sid, "Was kostet ein Zahnriemen? $word");
		is $r->{status}, 200, 'status 200';
		like $r->{json}{response}, qr/450 €/, 'the built-in answer';
		ok time - $t0 < 3, 'within the timeout' if $word eq 'slow';
		my $src = $t->sql("SELECT m.metadata->>'source' FROM messages m JOIN conversations c ON "
		                  . "c.id = m.conversation_id WHERE c.session_id = :'p1' AND m.role = 'assistant'", $sid);
		is_deeply $src, [['builtin']], 'marked builtin';
	};
}

subtest 'leads and emergencies stay with the built-in engine' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	like CarBot::Chat::chat($t, $o, $sid, 'Ich brauche einen Termin')->{json}{response}, qr/Name/, 'lead flow';
	like CarBot::Chat::chat($t, $o, CarBot::Chat::session($t, $o), 'Panne, Abschleppen!')->{json}{response},
	     qr/112/, 'emergency';
};

done_testing;
