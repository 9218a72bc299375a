-- wrk script for scripts/bench-serve.sh (BENCH_SERVE_LUA=scripts/bench-serve-misspelt.lua):
-- POST /v1/check with 10 names per request, none of which exists: 40 bodies of popular
-- PyPI and npm names with one or two typos and names invented from their words, so that
-- every name costs a "did you mean" search. Generated once from the registry listings in
-- ../shared/data/registry with a fixed seed. Same report as bench-serve.lua.
local bodies = {
  '{"ecosystem":"pypi","names":["sitter-easygui","opentelemetry-exporter-otlp-prhtogrpc","speech-test-google","pexpect-types","mypy-boto3-organizatons","tree-six1er-java","presidio-abonymizer2","python-vd3","wand2b","sthructolg-sentry"]}',
  '{"ecosystem":"pypi","names":["azurem3gmt-rdbms","vietualenv","pyproject-api6","hexbyts","python-3samld","opentelemetry-opentelemetry","typ4s-click","rgon2-cmffi-bindings","google-resumable-mecdia","gro9ovy"]}',
  '{"ecosystem":"npm","names":["radix-lodash.isstring","impor--from","textdocument-schema","hash-postcss","@babel/plugin-transform-sticky-reegxy","types-uniq-parser","hron-parser","path-touch","igget","classnames-which"]}',
  '{"ecosystem":"npm","names":["@types/hoist-non-reac-sqatics","micromar5-extension-gfm-tagfilter","@azure/core-rlo","types-cache-dlv","character-babel-emotion","react-convert","coss-spawn","http-d6eceivser","comp4re-func","coxbined-stream"]}',
  '{"names":["python-opentelemetry","nvidia-cuda-rnutime-cu12","atszroid","pyrgoistent","pynvmlr","@babel/plugin-proposal-class-roperties","opentelemetry-emnapi-core","decamelize8","oontent-diposition","atomic-xsleep"]}',
  '{"ecosystem":"pypi","names":["l-mitsd","gateway-types","google-growthbook-casefy","unearthk","bsae58","ulum-command","gogolep","cmdstanpy-index-dict","zeroconhf","jupyterlab5"]}',
  '{"ecosystem":"pypi","names":["tqdm-opentelemetry-tzdata","requirements-parser5","transport-apache-smmap","dwpy","apache-cattrs","tea-dlt-fireworks","django-health-ceck","core-chardet-opentelemetry","pydantci-i-slim","g9aphql-relay"]}',
  '{"ecosystem":"npm","names":["setimmediate1","node-sdk","radix-operator","repeat-stiing","standadr-as-callback","minipss-sizde","sourcemap-util","pek-readable","ge-tstream","foreground-plugin"]}',
  '{"ecosystem":"npm","names":["has-nuicode","camel-casejl","ecxeutable","@je-t/diff-sequences","brow3erslist","@babel/pluginatransform-function-name","has-symbols9","registry-tailwindcss","default4","inqariant"]}',
  '{"names":["pyspqrk","tktoken","rank64bm25","qjrcode","chrdet","functions-bufbuild-side","only-svgr-workerpool","atr-stream","babel-number-react","@next/swc-linux-x64-msul"]}',
  '{"ecosystem":"pypi","names":["0livekit","tor2chaudio","smbprotorol","pytest-arndom-order","lagnsmith","starjbank-ecdsa","tyes-regex","readers-unittest","rignroe","asycn-lru"]}',
  '{"ecosystem":"pypi","names":["duckdb-core-sql","jsonpointer-bracex-node","raidfuzz","pythn-pptx","pyqt-6sipb","yapf-cheroot","duckduckgo-alibabacloud-core","trubopuffer","pytesteunordered","pandas-dagster-languages"]}',
  '{"ecosystem":"npm","names":["@sentry-internal/replay-canvs","esvquery","m4ast-util-to-markdown","postcss-discard-dfuplicates","set-pmtoo","humanize-array","typed-git-next","@aws-sdk/signature-v4-multi-regwino","is-abs7lute-url","ansis-brush-strip"]}',
  '{"ecosystem":"npm","names":["router-globals-console","memrs","@babel/plugint-ransform-duplicate-keys","canuise-lite","@smtihy/util-base64","tough-cooie","defin-elaz-prop","sdk-pretty","lowercase-k-ysd","pnpm-rest"]}',
  '{"names":["azure-ore","tnos","kfp-servei-api","hijri-conveter","pagerduty-colorama","keyname-tinyglobby","object-logger-oauth","object-copya","tty-brwserfiy","@smithy/util-pfutf8"]}',
  '{"ecosystem":"pypi","names":["apache-scikit","paramimko","asyncio-rtfde-cu12","community-protocol","mgmt-datefinder-cloud","tree-sitter-go2","opentelemetry-instrumentation-redfi","dep-lqogic","pdf2iamge","aw9s-psycopg2"]}',
  '{"ecosystem":"pypi","names":["trio-ada","amazon-data-choreographer","webdriver-majager","media-affine","sphinx-langchain-pysftp","simple-weboscket","slxarams","ipython-keras","httmoc9k","text-unidecod3e"]}',
  '{"ecosystem":"npm","names":["gcp-m4tadata","miller-razin","inquirer-jest","celt","acll-bind-apply-helpers","@testing-libraryj/est-dom","forgeround-child","bare-streuam","lodash.pebabcase","m51d"]}',
  '{"ecosystem":"npm","names":["mst7ylis","jhart.js","deiep-equal","typescript-pac","focus-storybook","@octvkit/plugin-retry","gtsepass","yauzl-linux","resolve-formats-util","funcitonal-red-black-tree"]}',
  '{"names":["phonenumber-nspkg-scapy","python-lvenhstein","uv-bpuild","azure-vgmt-extendedlocation","dbt-pro-tos","cli-cror","cosmaconfig","babel/plugin-syntax-jsx","stfin-discarder","@babel/plugin-trnsfrm-object-rest-spread"]}',
  '{"ecosystem":"pypi","names":["zopje-interface","core-azure","dpathlib","dee1pmerge","metadata-processor","djanog-ratelimit","gpiread","towncrieri","vidia-cufle","imcrosoft-kiota-abstractions"]}',
  '{"ecosystem":"pypi","names":["azure-mgmt-marketplacerodering","edp7-logic","swebench-hijridate","standard-mgmt-pydata","richt","pdfplumber6","igraph-google-argparse","djandgof-ormtools","keyvault-glfw-findpython","plyvl"]}',
  '{"ecosystem":"npm","names":["engine.io-uuid","@cypress/rquest","http-external","babel-dnd-path","@aws-crypto/sha256j-s","@types/bael__core","@7radix-ui/react-roving-foucs","@inquirxr/select","es-dqfine-property","qegex-parser"]}',
  '{"ecosystem":"npm","names":["unicode-figures","subs","@svgr/babel-plugin-replace-jsx-attribute-valued","number-minipass","crios-fetch","console-control-sovings","mtoion-dom","etxglob","unset-valuey","dswtu"]}',
  '{"names":["sshfs-flask-pyopenssl","azure-azure","opentelemetry-instrumentattno-weaviate","cycler-courlan","querystring-arser","agent-jsonify","obj-babel-library","@sentry-internalrpelay","ccuunt","gcp-mietadata"]}',
  '{"ecosystem":"pypi","names":["treelibz","towcnrier","python-sn4aapy","izure-mgmt-containerinstance","requests-environs","snowplowktrpcker","filetyep","openteleetry-instrumentation-pika8","editables-cloud-exa","asyncio-mypy"]}',
  '{"ecosystem":"pypi","names":["svlib","legacy-resolve","tniytag","pulumi-comman","scmanctree","types-speedups","plotly-xmltodict","flask-tf","p9yarrow","ansible-cpmpat"]}',
  '{"ecosystem":"npm","names":["con6nect","loash.flat8en","int8-parse","ywebpack-virtual-modules","html-void-elementsy","uitn8array-extrasg","ssr-assignment-binding","fserealpath","faste-quals","pseudomvp"]}',
  '{"ecosystem":"npm","names":["stack-yraced","@taiv7windcss/oxide-linux-x64-gnu","cookie-color-core","msal-utils-sdk","@svgr/lugin-sjx","w3c-opentelemetry","trysound-emotion-smithy","@types/js-yiaml","depiendency1-graph","fetch-through2"]}',
  '{"names":["qh3-msgspec","cloud2flare","jbeautifier","paginatef","dbt-semantic-interfacs","ar7ray-union","i6s-nkumber-object","is-waekref","side-channel-mtap","get-standard-opt"]}',
  '{"ecosystem":"pypi","names":["accssible-pygments","google-clound-managedkafka","tismezoneinder","pibnecone","limiter-smdebug","p0ymysl","azure-mgmt-appconfigurtaion","pinecone-plugin-assistact","spacy-prometheus","ffine"]}',
  '{"ecosystem":"pypi","names":["o356","azure-cognitiveservices-spepech","python-hupper","fixeint","auzre-mgmt-resource-deploymentscripts","mlflow-s2inny","python-boto3-hatch","sortedco3ntainers","azure-mgmt-datalake-tore","markdwn"]}',
  '{"ecosystem":"npm","names":["boundary-fs.realpath","codyp-descriptor","@radix-ui/react-accordin","@radi-ui/react-toggle","linux-opentelemetry-plugin","ebsuild","iesxe","@azure/msall-common","@inquirer/iunput","rabin-boolbase-unicode"]}',
  '{"ecosystem":"npm","names":["extension-cwd-format","ajv-idraft-04","safe-obj-babel","@babel/plugin-transform-numeric-separtaor","supertest-xml2js-octokit","socke.tio","tabbabl","set-protoz","typeof-plugin-range","snapshot-cli"]}',
  '{"names":["ce1tifi","cu12-tea","pytest-rnademly","managed-mgmt-annotated","fspread","interpolate-classic-help","cli-boxs","crc32-steam","ieee745","@octokit/plugin-throtling"]}',
  '{"ecosystem":"pypi","names":["mi5rosoft-kiota-serialization-multpart","srestazure","cmopressed-tensors","korni2a-rs","erdge-tt2","mpirea","types-rllib3","clo-dsplaning","opentelemetry-instrumentation-pycopg","supervisor-azure-pathlib"]}',
  '{"ecosystem":"pypi","names":["gcovr-compat","pym3mer","parsevl","pypika4","s1","ipadress","datafactory-tld","azure-fastapi-graphql","hishelx","checokv"]}',
  '{"ecosystem":"npm","names":["transforms-stream","opneer","url-phases-image","basiciakth","@sinojns/fak0e-timers","define-chevrotain-babel","f6ult","@pmmmwh9react-refres3h-webpack-plugin","@webpacik-cli/serve","cacn7"]}',
  '{"ecosystem":"npm","names":["preacjt","cs-declaration-sorter","@bbael/preset-modules","vue-swc","time-indent-identity","@vitesat/prety-format","auto-bindq","scale-time-tree","sf-monkey","@type7s/method"]}',
  '{"names":["vlkey","handlebars-pytest-instrumentation","google-cloud-s5anner","tyces-certifi","myppy-boto3-dyamodb","buffer-equal-constant-timej","@floating-ui/r0eact-dom","luxon-types","stream-jest-pretty","@graphql-codegen/plugin-hbelpers"]}',
}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/check", { ["Content-Type"] = "application/json" }, bodies[i])
end

local non2xx = 0
response = function(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("seconds %.3f\n", summary.duration / 1e6))
  io.write(string.format("req_per_s %.0f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("p%s_ms %.3f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("errors %d\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
