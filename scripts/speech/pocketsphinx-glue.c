/*
 * A small C surface over PocketSphinx for the wasm build (scripts/speech/build-pocketsphinx.sh).
 * cmd_ln_init is variadic and ps_* return structs JS cannot hold, so JS calls these instead:
 * one decoder per module instance, configured with an argv-style string, fed 16 kHz int16 PCM.
 */
#include <stdlib.h>
#include <string.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>

static ps_decoder_t *ps = NULL;
static cmd_ln_t *config = NULL;

/* args: NUL-separated "-name\0value\0..." pairs, total length n. Returns 0 on success. */
int psw_init(const char *args, int n) {
    char *argv[64];
    int argc = 0;
    int i = 0;
    if (ps) { ps_free(ps); ps = NULL; }
    while (i < n && argc < 64) {
        argv[argc++] = (char *)(args + i);
        i += (int)strlen(args + i) + 1;
    }
    err_set_logfp(NULL);
    config = cmd_ln_parse_r(NULL, ps_args(), argc, argv, FALSE);
    if (config == NULL) return -1;
    ps = ps_init(config);
    if (ps == NULL) return -2;
    return 0;
}

void psw_verbose(int on) { err_set_logfp(on ? stderr : NULL); }

/* Registers a JSGF grammar given as text under the name "q" and makes it the active search. */
int psw_set_jsgf(const char *jsgf) {
    if (!ps) return -1;
    if (ps_set_jsgf_string(ps, "q", jsgf) < 0) return -2;
    if (ps_set_search(ps, "q") < 0) return -3;
    return 0;
}

/* Adds a word with a pronunciation ("L AE M P") when the loaded dictionary lacks it. */
int psw_add_word(const char *word, const char *phones) {
    if (!ps) return -1;
    return ps_add_word(ps, word, phones, TRUE) < 0 ? -2 : 0;
}

int psw_has_word(const char *word) {
    if (!ps) return 0;
    char *p = ps_lookup_word(ps, word);
    if (p) { ckd_free(p); return 1; }
    return 0;
}

int psw_start(void) { return ps ? ps_start_utt(ps) : -1; }
int psw_process(const short *pcm, int n) { return ps ? ps_process_raw(ps, pcm, n, FALSE, FALSE) : -1; }
/* A whole utterance at once: cepstral mean normalisation over the utterance itself (-cmn batch), which
 * is what the en-us model was trained with; streaming starts from -cmninit and adapts only slowly. */
int psw_process_full(const short *pcm, int n) { return ps ? ps_process_raw(ps, pcm, n, FALSE, TRUE) : -1; }
int psw_end(void) { return ps ? ps_end_utt(ps) : -1; }
int psw_in_speech(void) { return ps ? ps_get_in_speech(ps) : 0; }

/* The best hypothesis so far ("" when none); score in *score_out when given. */
const char *psw_hyp(int *score_out) {
    int32 score = 0;
    const char *h = ps ? ps_get_hyp(ps, &score) : NULL;
    if (score_out) *score_out = score;
    return h ? h : "";
}

/* Posterior probability of the hypothesis, 0..1 (needs -bestpath; approximate under FSG). */
double psw_prob(void) {
    if (!ps) return 0;
    int32 p = ps_get_prob(ps);
    return logmath_exp(ps_get_logmath(ps), p);
}
