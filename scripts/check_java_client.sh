#!/usr/bin/env bash
# Generate openapi-generator's Java client from the service's OpenAPI document and compile it.
#
#   apt-get install -y default-jdk-headless libjackson2-databind-java libjakarta-annotation-api-java libjsr305-java
#   bash scripts/check_java_client.sh            # exit 0: the client compiles
#
# The generator comes from PyPI (`openapi-generator-cli`, the jar inside the wheel) into a
# throw-away venv. The client uses the `native` library (java.net.http + Jackson), compiled with
# javac against Debian's Jackson jars. Debian ships no jackson-datatype-jsr310, which the client's
# JSON support class registers for java.time; with dateLibrary=legacy nothing uses it, so those
# lines are removed before compiling. Every model and API class is compiled as generated.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3.11 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "openapi-generator-cli==7.26.0"
.venv/bin/python -c "import json, sys; from landapproval.serve.app import create_app; json.dump(create_app().openapi(), sys.stdout, ensure_ascii=False)" > "$work/openapi.json"
"$work/venv/bin/openapi-generator-cli" generate -i "$work/openapi.json" -g java -o "$work/client" --library native \
  --global-property modelDocs=false,modelTests=false,apiDocs=false,apiTests=false \
  --additional-properties=openApiNullable=false,dateLibrary=legacy,serializationLibrary=jackson,hideGenerationTimestamp=true,useJakartaEe=true \
  > "$work/generate.log"
support="$work/client/src/main/java/org/openapitools/client"
rm -f "$support/RFC3339InstantDeserializer.java" "$support/RFC3339JavaTimeModule.java"
sed -i '/jsr310/d; /JavaTimeModule/d; /RFC3339/d' "$support/JSON.java" "$support/ApiClient.java"
classpath=$(ls /usr/share/java/{jackson-annotations,jackson-core,jackson-databind,jakarta-annotation-api,jsr305}.jar | tr '\n' ':')
find "$work/client/src/main" -name '*.java' > "$work/sources.txt"
javac -d "$work/classes" -cp "$classpath" @"$work/sources.txt"
echo "the Java client compiles: $(wc -l < "$work/sources.txt") source files, $(find "$work/classes" -name '*.class' | wc -l) classes"
