#!/usr/bin/env bash
# Generate openapi-generator's Java client from the service's OpenAPI document, compile it, and
# (with --run) call a live server through it with Java's default HttpClient.
#
#   apt-get install -y default-jdk-headless libjackson2-databind-java libjakarta-annotation-api-java libjsr305-java
#   bash scripts/check_java_client.sh                              # exit 0: the client compiles
#   bash scripts/check_java_client.sh --run http://127.0.0.1:8000 case.json
#       # exit 0: the client's POST /v1/evaluate of case.json (JSON) answered; prints the protocol the
#       # HttpClient asked for, the approving levels and the six workflow steps
#
# The generator comes from PyPI (`openapi-generator-cli`, the jar inside the wheel) into a
# throw-away venv. The client uses the `native` library (java.net.http + Jackson), compiled with
# javac against Debian's Jackson jars. Debian ships no jackson-datatype-jsr310, which the client's
# JSON support class registers for java.time; with dateLibrary=legacy nothing uses it, so those
# lines are removed before compiling. Every model and API class is compiled as generated.
#
# The main (--run) keeps the HttpClient's defaults — HTTP/2 first, so every POST carries
# `Upgrade: h2c` (issue 18 item 1) — and makes the client's Jackson strict (an unknown property
# fails: the answer must be exactly the document's Decision, workflow steps included, item 2).
set -euo pipefail
cd "$(dirname "$0")/.."
run_url=""; run_case=""
if [ "${1:-}" = "--run" ]; then run_url=$2; run_case=$(realpath "$3"); fi
python=${PYTHON:-.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3.11 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "openapi-generator-cli==7.26.0" 2> >(grep -v "^WARNING: Location" >&2 || true)
"$python" -c "import json, sys; from landapproval.serve.app import create_app; json.dump(create_app().openapi(), sys.stdout, ensure_ascii=False)" > "$work/openapi.json"
"$work/venv/bin/openapi-generator-cli" generate -i "$work/openapi.json" -g java -o "$work/client" --library native \
  --global-property modelDocs=false,modelTests=false,apiDocs=false,apiTests=false \
  --additional-properties=openApiNullable=false,dateLibrary=legacy,serializationLibrary=jackson,hideGenerationTimestamp=true,useJakartaEe=true \
  > "$work/generate.log" 2>&1 || { cat "$work/generate.log" >&2; exit 1; }
support="$work/client/src/main/java/org/openapitools/client"
rm -f "$support/RFC3339InstantDeserializer.java" "$support/RFC3339JavaTimeModule.java"
sed -i '/jsr310/d; /JavaTimeModule/d; /RFC3339/d' "$support/JSON.java" "$support/ApiClient.java"
classpath=$(ls /usr/share/java/{jackson-annotations,jackson-core,jackson-databind,jakarta-annotation-api,jsr305}.jar | tr '\n' ':')
find "$work/client/src/main" -name '*.java' > "$work/sources.txt"
if [ -n "$run_url" ]; then
  mkdir -p "$work/main"
  cat > "$work/main/Main.java" <<'JAVA'
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import org.openapitools.client.ApiClient;
import org.openapitools.client.api.CasesApi;
import org.openapitools.client.model.AuthorityEntry;
import org.openapitools.client.model.Decision;
import org.openapitools.client.model.ModelCase;
import org.openapitools.client.model.Step;

public class Main {
  public static void main(String[] args) throws Exception {
    ApiClient client = new ApiClient();
    client.updateBaseUri(args[0]);
    ObjectMapper mapper = client.getObjectMapper();
    mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    ModelCase body = mapper.readValue(new File(args[1]), ModelCase.class);
    Decision decision = new CasesApi(client).evaluateV1EvaluatePost(body, null, "en");
    System.out.println("http client version: " + client.getHttpClient().version());
    System.out.println("case: " + decision.getCase());
    System.out.println("conversion: " + level(decision.getAuthority().getConversion()));
    System.out.println("expropriation: " + level(decision.getAuthority().getExpropriation()));
    System.out.println("approvable: " + decision.getApprovable());
    for (Step step : decision.getWorkflow().getSteps()) {
      System.out.println("step " + step.getId() + " " + step.getStatus().getValue());
    }
    System.out.println("next: " + decision.getWorkflow().getNext());
  }

  static String level(AuthorityEntry entry) {
    return entry == null ? "none" : entry.getLevel().getValue() + " (" + entry.getMode().getValue() + ")";
  }
}
JAVA
  echo "$work/main/Main.java" >> "$work/sources.txt"
fi
javac -nowarn -d "$work/classes" -cp "$classpath" @"$work/sources.txt" 2> >(grep -v "^Note:" >&2 || true)
echo "the Java client compiles: $(wc -l < "$work/sources.txt") source files, $(find "$work/classes" -name '*.class' | wc -l) classes"
if [ -n "$run_url" ]; then
  java -cp "$work/classes:$classpath" Main "$run_url" "$run_case"
fi
