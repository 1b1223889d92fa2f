# Shared by bench/http.sh and bench/steps.sh.

# mean_size MIX BASE_URL: the mean body size of mado's answers for one of the Lua mixes
# (one, checkout, random), for the bare server that stands in for it.
mean_size() {
  local paths
  case "$1" in
    one) paths="/v1/availability?function=webcollect.credit_card&for=15m" ;;
    checkout) paths=$(for f in webcollect.credit_card webcollect.convenience_store webcollect.carrier webcollect.id_payment webcollect.kuroneko_pay webcollect.reauth atobarai.credit_card atobarai.au_kantan; do
        echo "/v1/availability?function=$f"; echo "/v1/availability?function=$f&for=15m"; done) ;;
    random) paths=$(python3 -c '
import random, datetime
fs = ["webcollect.credit_card","webcollect.convenience_store","webcollect.carrier","webcollect.id_payment","webcollect.kuroneko_pay","webcollect.reauth","atobarai.credit_card","atobarai.au_kantan"]
random.seed(7)
for _ in range(200):
    t = datetime.datetime.fromtimestamp(random.randint(1546300800, 1924992000), datetime.timezone.utc)
    print("/v1/availability?function=%s&at=%s" % (random.choice(fs), t.strftime("%Y-%m-%dT%H:%M:%SZ")))') ;;
  esac
  for p in $paths; do curl -fsS "$2$p" | wc -c; done | awk '{ s += $1; n++ } END { printf "%d\n", s / n }'
}
