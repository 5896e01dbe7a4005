/* classify.c — the trained intent classifier: softmax over the weights that
 * train/train.c learnt at build time from train/utterances.tsv (the header
 * is generated into build/gen/chat/). analyse() asks it when the keyword
 * scorer is not confident. */
#include <math.h>
#include <string.h>

#include "chat.h"
#include "train/features.h"
/* after features.h: the table is FEAT_BUCKETS wide */
#include "intent_model.h"

#define MAX_FEATURES 2048

int classify(const char *text, double *prob)
{
	unsigned f[MAX_FEATURES];
	size_t n = feat_extract(text, f, MAX_FEATURES);
	double z[MODEL_INTENTS], mx = -1e30, sum = 0;
	int best = 0;

	for (int c = 0; c < MODEL_INTENTS; c++) {
		z[c] = model_bias[c];
		for (size_t k = 0; k < n; k++)
			z[c] += model_w[c][f[k]];
		if (z[c] > mx)
			mx = z[c];
	}
	for (int c = 0; c < MODEL_INTENTS; c++) {
		z[c] = exp(z[c] - mx);
		sum += z[c];
		if (z[c] > z[best])
			best = c;
	}
	*prob = z[best] / sum;
	for (int i = 0; i < I_N; i++)
		if (strcmp(intent_name(i), model_intent[best]) == 0)
			return i;
	return I_FALLBACK;
}
