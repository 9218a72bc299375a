use super::*;
use crate::reference::{Mention, NotRegistry, Severity};

/// One mention, compactly: `pypi:requests ==2.0 +dev +opt`, `npm!vcs:user/repo`,
/// `-!conda:numpy =1.26`.
fn render(f: &Found) -> String {
    let mut s = match &f.mention {
        Mention::Package { ecosystem, name } => format!("{}:{name}", ecosystem.id()),
        Mention::NotRegistry {
            ecosystem,
            text,
            what,
        } => {
            let what = match what {
                NotRegistry::Url => "url",
                NotRegistry::Vcs => "vcs",
                NotRegistry::LocalPath => "path",
                NotRegistry::Workspace => "ws",
                NotRegistry::OtherRegistry(r) => r.as_str(),
            };
            format!("{}!{what}:{text}", ecosystem.map_or("-", |e| e.id()))
        }
        other => format!("{other:?}"),
    };
    if let Some(v) = &f.version {
        s.push(' ');
        s.push_str(v);
    }
    if f.dev {
        s.push_str(" +dev");
    }
    if f.optional {
        s.push_str(" +opt");
    }
    s
}

/// Every span must point at the text it reports: the name itself for a package (or the
/// written initializer for `create`), the argument for anything else.
fn check_spans(text: &str, out: &Output) {
    for f in &out.found {
        let l = &f.location;
        // A `\` newline inside a word is part of its span but not of its value.
        let span = text[l.start as usize..l.end as usize].replace("\\\n", "");
        let span = span.as_str();
        assert!(!span.is_empty(), "empty span for {f:?}");
        match &f.mention {
            Mention::Package { name, .. } => assert!(
                span == name || name.replace("create-", "").replace("/create", "") == span,
                "span {span:?} does not cover {name:?} in {text:?}"
            ),
            Mention::NotRegistry { text: t, .. } => assert!(
                t == span || t.starts_with(span) || t.contains(span),
                "span {span:?} is not {t:?} in {text:?}"
            ),
            _ => unreachable!(),
        }
        let (line, col) = {
            let before = &text[..l.start as usize];
            let line = before.matches('\n').count() as u32 + 1;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
            (line, col)
        };
        assert_eq!((l.line, l.column), (line, col), "line/column of {f:?}");
    }
}

fn scan(mode: Mode, text: &str) -> Output {
    let code = Code::file("t".into(), text);
    let mut out = Output::default();
    find_with(&code, mode, &mut out);
    check_spans(text, &out);
    out
}

fn script(text: &str) -> Vec<String> {
    scan(Mode::Script, text).found.iter().map(render).collect()
}

fn prose(text: &str) -> Vec<String> {
    scan(Mode::Prose, text).found.iter().map(render).collect()
}

#[track_caller]
fn table(mode: Mode, cases: &[(&str, &[&str])]) {
    let mut failures = Vec::new();
    for (line, want) in cases {
        let got = match mode {
            Mode::Script => script(line),
            Mode::Prose => prose(line),
        };
        if got != *want {
            failures.push(format!("{line:?}\n    want {want:?}\n    got  {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn pip_commands() {
    table(
        Mode::Script,
        &[
            ("pip install requests", &["pypi:requests"]),
            ("pip3 install requests==2.31.0", &["pypi:requests ==2.31.0"]),
            (
                "pip3.11 install -U numpy pandas",
                &["pypi:numpy", "pypi:pandas"],
            ),
            ("python -m pip install --upgrade pip", &["pypi:pip"]),
            (
                "python3 -m pip install 'fastapi[all]>=0.100,<1'",
                &["pypi:fastapi >=0.100,<1"],
            ),
            ("py -3.11 -m pip install pyqt5", &["pypi:pyqt5"]),
            ("python -mpip install x", &["pypi:x"]),
            ("python3.12 -u -X utf8 -m pip install rich", &["pypi:rich"]),
            (
                "pip install \"requests>=2\" 'urllib3<2'",
                &["pypi:requests >=2", "pypi:urllib3 <2"],
            ),
            (
                "pip install 'tomli; python_version < \"3.11\"'",
                &["pypi:tomli +opt"],
            ),
            ("pip install -r requirements.txt", &[]),
            (
                "pip install -r requirements.txt -c constraints.txt pytest",
                &["pypi:pytest"],
            ),
            ("pip install -rrequirements.txt", &[]),
            ("pip install -Ur requirements-dev.txt", &[]),
            ("pip install -qr reqs.txt black", &["pypi:black"]),
            ("pip install --requirement=reqs.txt black", &["pypi:black"]),
            ("pip install -e .", &["pypi!path:."]),
            // Ansible's tests: with --no-index the name comes from the -f directory.
            (
                "pip install --no-index -f dist/ ansible-collections.python.dist",
                &["pypi!path:ansible-collections.python.dist"],
            ),
            ("pip install -e '.[dev,test]'", &["pypi!path:.[dev,test]"]),
            ("pip install --editable ../lib", &["pypi!path:../lib"]),
            (
                "pip install -e git+https://github.com/org/repo.git#egg=repo",
                &["pypi!vcs:git+https://github.com/org/repo.git#egg=repo"],
            ),
            (
                "pip install git+https://github.com/huggingface/transformers",
                &["pypi!vcs:git+https://github.com/huggingface/transformers"],
            ),
            (
                "pip install https://download.pytorch.org/whl/cpu/torch-2.0.0-cp310-none-linux_x86_64.whl",
                &[
                    "pypi!url:https://download.pytorch.org/whl/cpu/torch-2.0.0-cp310-none-linux_x86_64.whl",
                ],
            ),
            (
                "pip install ./dist/pkg-1.0-py3-none-any.whl",
                &["pypi!path:./dist/pkg-1.0-py3-none-any.whl"],
            ),
            ("pip install pkg-1.0.tar.gz", &["pypi!path:pkg-1.0.tar.gz"]),
            ("pip install .", &["pypi!path:."]),
            (
                "pip install \"mypkg @ https://example.com/mypkg-1.0.zip\"",
                &["pypi!url:mypkg @ https://example.com/mypkg-1.0.zip"],
            ),
            (
                "pip install mypkg @ git+https://x.org/m.git",
                &["pypi!vcs:mypkg @ git+https://x.org/m.git"],
            ),
            (
                "pip install torch --index-url https://download.pytorch.org/whl/cpu",
                &["pypi:torch"],
            ),
            (
                "pip install -i https://test.pypi.org/simple/ mypkg",
                &["pypi:mypkg"],
            ),
            (
                "pip install --extra-index-url https://x.org/simple -f ./wheels foo",
                &["pypi:foo"],
            ),
            ("pip install --target ./lib --prefix /opt x", &["pypi:x"]),
            (
                "pip install --platform manylinux2014_x86_64 --python-version 3.9 --only-binary=:all: x",
                &["pypi:x"],
            ),
            ("pip install --no-cache-dir --user x", &["pypi:x"]),
            ("pip install --unknown-flag x", &["pypi:x"]),
            ("pip install --foo=bar x", &["pypi:x"]),
            ("pip install -- -weird", &[]),
            (
                "pip --disable-pip-version-check --proxy http://p:3128 install x",
                &["pypi:x"],
            ),
            ("pip download -d ./pkgs requests", &["pypi:requests"]),
            ("pip wheel -w wheels numpy", &["pypi:numpy"]),
            ("pip install numpy==1.26.*", &["pypi:numpy ==1.26.*"]),
            ("pip install 'Django (>=4.2)'", &["pypi:Django >=4.2"]),
            ("pip install numpy=1.26", &["pypi:numpy =1.26"]),
            (
                "pip install torch==$TORCH_VERSION",
                &["pypi:torch ==$TORCH_VERSION"],
            ),
            ("pip install $PACKAGES \"${EXTRA}\" $(cat reqs)", &[]),
            ("/usr/bin/pip3 install x", &["pypi:x"]),
            (".venv/bin/pip install x", &["pypi:x"]),
            ("venv\\Scripts\\pip.exe install x", &["pypi:x"]),
            (".venv\\Scripts\\python -m pip install x", &["pypi:x"]),
            ("easy_install simplejson", &["pypi:simplejson"]),
            (
                "easy_install -f http://x.org/links pkg==1.0",
                &["pypi:pkg ==1.0"],
            ),
        ],
    );
}

#[test]
fn pip_negatives() {
    table(
        Mode::Script,
        &[
            ("pip freeze > requirements.txt", &[]),
            ("pip list --outdated", &[]),
            ("pip uninstall -y requests", &[]),
            ("pip show requests", &[]),
            ("pip install", &[]),
            ("pip --version", &[]),
            ("python -m venv .venv", &[]),
            ("python -c 'import pip'", &[]),
            ("python setup.py install", &[]),
            ("python -m pytest tests", &[]),
            ("echo pip install x", &[]),
            ("pipx list", &[]),
            ("grep -r 'pip' .", &[]),
            ("mypip install x", &[]),
            ("pip-compile requirements.in", &[]),
        ],
    );
}

#[test]
fn python_tools() {
    table(
        Mode::Script,
        &[
            ("uv pip install ruff", &["pypi:ruff"]),
            (
                "uv pip install --system -r requirements.txt httpx",
                &["pypi:httpx"],
            ),
            (
                "uv pip install -p 3.12 --index-url https://x.org/simple torch",
                &["pypi:torch"],
            ),
            (
                "uv add requests 'httpx>=0.27'",
                &["pypi:requests", "pypi:httpx >=0.27"],
            ),
            ("uv add --dev pytest", &["pypi:pytest +dev"]),
            ("uv add --group lint ruff", &["pypi:ruff +dev"]),
            (
                "uv add --optional plot matplotlib",
                &["pypi:matplotlib +opt"],
            ),
            ("uv add -r requirements.txt", &[]),
            (
                "uv add git+https://github.com/encode/httpx",
                &["pypi!vcs:git+https://github.com/encode/httpx"],
            ),
            ("uv --directory app add fastapi", &["pypi:fastapi"]),
            ("uv tool install ruff@0.3.0", &["pypi:ruff 0.3.0"]),
            (
                "uv tool install --with httpie-plugin httpie",
                &["pypi:httpie-plugin", "pypi:httpie"],
            ),
            ("uv tool run black .", &["pypi:black"]),
            ("uvx ruff check .", &["pypi:ruff"]),
            ("uvx ruff@latest format", &["pypi:ruff latest"]),
            ("uvx --from httpie http GET example.org", &["pypi:httpie"]),
            (
                "uvx --from 'huggingface_hub[cli]' huggingface-cli login",
                &["pypi:huggingface_hub"],
            ),
            (
                "uvx --with 'rich,httpx>=0.27,<0.28' my-tool",
                &["pypi:rich", "pypi:httpx >=0.27,<0.28", "pypi:my-tool"],
            ),
            (
                "uvx -p 3.12 --with 'fastapi[standard,all]' fastapi dev",
                &["pypi:fastapi", "pypi:fastapi"],
            ),
            ("uv run --with jupyter jupyter lab", &["pypi:jupyter"]),
            ("uv run pytest -x", &[]),
            ("uv run python -m pip install x", &["pypi:x"]),
            ("uv sync --all-extras", &[]),
            ("pipx install poetry", &["pypi:poetry"]),
            (
                "pipx install --python python3.11 'black[d]==24.1.0'",
                &["pypi:black ==24.1.0"],
            ),
            ("pipx run cowsay moo", &["pypi:cowsay"]),
            (
                "pipx run --spec ansible-core ansible-playbook x.yml",
                &["pypi:ansible-core"],
            ),
            (
                "pipx inject poetry poetry-plugin-export",
                &["pypi:poetry-plugin-export"],
            ),
            ("poetry add requests@^2.31", &["pypi:requests ^2.31"]),
            (
                "poetry add pendulum@latest 'django>=4'",
                &["pypi:pendulum latest", "pypi:django >=4"],
            ),
            ("poetry add -D pytest", &["pypi:pytest +dev"]),
            ("poetry add --group dev black", &["pypi:black +dev"]),
            ("poetry add --group main httpx", &["pypi:httpx"]),
            ("poetry add --optional psycopg", &["pypi:psycopg +opt"]),
            ("poetry add -E bcrypt passlib", &["pypi:passlib"]),
            ("poetry add ./my-package/", &["pypi!path:./my-package/"]),
            (
                "poetry self add poetry-plugin-up",
                &["pypi:poetry-plugin-up"],
            ),
            ("poetry run pip install x", &["pypi:x"]),
            ("poetry install --with dev", &[]),
            ("pdm add requests", &["pypi:requests"]),
            ("pdm add -d pytest", &["pypi:pytest +dev"]),
            ("pdm add -dG test pytest-cov", &["pypi:pytest-cov +dev"]),
            ("pdm add -G socks requests[socks]", &["pypi:requests +opt"]),
            ("pdm add -e ./sub --dev", &["pypi!path:./sub +dev"]),
            ("pipenv install requests~=2.31", &["pypi:requests ~=2.31"]),
            ("pipenv install --dev pytest", &["pypi:pytest +dev"]),
            (
                "pipenv install -d 'black==23.*'",
                &["pypi:black ==23.* +dev"],
            ),
            ("pipenv install", &[]),
            ("pipenv install -r requirements.txt", &[]),
            ("pipenv run pip install x", &["pypi:x"]),
        ],
    );
}

#[test]
fn conda_names_are_not_pypi_names() {
    table(
        Mode::Script,
        &[
            ("conda install numpy", &["-!conda:numpy"]),
            (
                "conda install -c conda-forge -y numpy=1.26 'scipy>=1.11'",
                &["-!conda:numpy =1.26", "-!conda:scipy >=1.11"],
            ),
            (
                "mamba install -n base conda-forge::mamba",
                &["-!conda:mamba"],
            ),
            ("micromamba install -y -n base -f env.yml", &[]),
            (
                "conda create -n py311 python=3.11 pip",
                &["-!conda:python =3.11", "-!conda:pip"],
            ),
            ("conda env create -f environment.yml", &[]),
            ("conda install --file requirements.txt", &[]),
            (
                "conda run -n ml pip install transformers",
                &["pypi:transformers"],
            ),
            (
                "conda install ./pkg-1.0-0.tar.bz2",
                &["-!path:./pkg-1.0-0.tar.bz2"],
            ),
        ],
    );
}

#[test]
fn npm_commands() {
    table(
        Mode::Script,
        &[
            ("npm install express", &["npm:express"]),
            ("npm i lodash@4.17.21", &["npm:lodash 4.17.21"]),
            (
                "npm add react@^18.2.0 react-dom@^18.2.0",
                &["npm:react ^18.2.0", "npm:react-dom ^18.2.0"],
            ),
            (
                "npm i -D typescript @types/node@20",
                &["npm:typescript +dev", "npm:@types/node 20 +dev"],
            ),
            ("npm install --save-dev vitest", &["npm:vitest +dev"]),
            ("npm install vitest --save-dev", &["npm:vitest +dev"]),
            ("npm i -O fsevents", &["npm:fsevents +opt"]),
            ("npm i -g pnpm@8", &["npm:pnpm 8"]),
            ("npm -g install yarn", &["npm:yarn"]),
            ("npm isntall left-pad", &["npm:left-pad"]),
            ("npm install my-react@npm:react@18", &["npm:react 18"]),
            ("npm install user/repo", &["npm!vcs:user/repo"]),
            (
                "npm install github:user/repo#v1.0",
                &["npm!vcs:github:user/repo#v1.0"],
            ),
            (
                "npm i git+ssh://git@github.com/npm/cli.git#v1.0.27",
                &["npm!vcs:git+ssh://git@github.com/npm/cli.git#v1.0.27"],
            ),
            (
                "npm i https://example.com/pkg-1.0.0.tgz",
                &["npm!url:https://example.com/pkg-1.0.0.tgz"],
            ),
            (
                "npm i file:../shared ./local ../up ~/home/pkg",
                &[
                    "npm!path:file:../shared",
                    "npm!path:./local",
                    "npm!path:../up",
                    "npm!path:~/home/pkg",
                ],
            ),
            ("npm i ./pkg.tgz", &["npm!path:./pkg.tgz"]),
            ("npm install jsr:@std/path", &["npm!jsr:jsr:@std/path"]),
            (
                "npm i --registry https://registry.example.com private-pkg",
                &["npm:private-pkg"],
            ),
            ("npm install --prefix ./app express", &["npm:express"]),
            ("npm install -w packages/web react", &["npm:react"]),
            ("npm install", &[]),
            ("npm install --production", &[]),
            ("npm ci", &[]),
            ("npm run build", &[]),
            ("npm test", &[]),
            ("npm run install x", &[]),
            ("npm update lodash", &[]),
            ("npx create-react-app my-app", &["npm:create-react-app"]),
            ("npx -y @angular/cli@17 new app", &["npm:@angular/cli 17"]),
            ("npx --yes prettier --write .", &["npm:prettier"]),
            (
                "npx -p typescript -p ts-node ts-node script.ts",
                &["npm:typescript", "npm:ts-node"],
            ),
            (
                "npx --package=@scope/tool -- tool --flag",
                &["npm:@scope/tool"],
            ),
            ("npm exec -- eslint .", &["npm:eslint"]),
            ("npm x -y cowsay@1.5 hello", &["npm:cowsay 1.5"]),
            (
                "npm create vite@latest my-app -- --template react",
                &["npm:create-vite latest"],
            ),
            ("npm init @vitejs/app", &["npm:@vitejs/create-app"]),
            ("npm init @usr", &["npm:@usr/create"]),
            ("npm init -y", &[]),
            ("npm init", &[]),
            ("npm create svelte@latest", &["npm:create-svelte latest"]),
        ],
    );
}

#[test]
fn yarn_pnpm_bun() {
    table(
        Mode::Script,
        &[
            ("yarn add axios", &["npm:axios"]),
            (
                "yarn add -D jest @types/jest",
                &["npm:jest +dev", "npm:@types/jest +dev"],
            ),
            ("yarn add --optional fsevents", &["npm:fsevents +opt"]),
            (
                "yarn add left-pad@workspace:*",
                &["npm!ws:left-pad@workspace:*"],
            ),
            ("yarn global add serve", &["npm:serve"]),
            ("yarn workspace web add react", &["npm:react"]),
            ("yarn dlx create-next-app", &["npm:create-next-app"]),
            ("yarn dlx -p typescript tsc --init", &["npm:typescript"]),
            ("yarn create react-app my-app", &["npm:create-react-app"]),
            ("yarn create next-app@13", &["npm:create-next-app 13"]),
            ("yarn", &[]),
            ("yarn install --frozen-lockfile", &[]),
            ("yarn build", &[]),
            ("pnpm add zod", &["npm:zod"]),
            ("pnpm add -D vitest", &["npm:vitest +dev"]),
            ("pnpm --filter web add react", &["npm:react"]),
            ("pnpm add foo@link:../foo", &["npm!ws:foo@link:../foo"]),
            ("pnpm i", &[]),
            ("pnpm install", &[]),
            ("pnpm i lodash", &["npm:lodash"]),
            ("pnpm dlx degit user/repo app", &["npm:degit"]),
            ("pnpm create vite", &["npm:create-vite"]),
            ("pnpx prisma generate", &["npm:prisma"]),
            ("pnpm run dev", &[]),
            ("bun add hono", &["npm:hono"]),
            ("bun add -d @types/bun", &["npm:@types/bun +dev"]),
            ("bun add --optional sharp", &["npm:sharp +opt"]),
            ("bun i elysia", &["npm:elysia"]),
            ("bun install", &[]),
            ("bun x cowsay", &["npm:cowsay"]),
            ("bunx --bun vite", &["npm:vite"]),
            ("bun create elysia app", &["npm:create-elysia"]),
            (
                "bun create github-user/repo dest",
                &["npm!vcs:github-user/repo"],
            ),
            ("bun run dev", &[]),
            ("corepack yarn add x", &["npm:x"]),
            ("corepack enable", &[]),
        ],
    );
}

#[test]
fn shell_grammar() {
    table(
        Mode::Script,
        &[
            (
                "apt-get update && pip install flask && npm i -g pm2",
                &["pypi:flask", "npm:pm2"],
            ),
            (
                "pip install a || pip install b; pip install c | tee log",
                &["pypi:a", "pypi:b", "pypi:c"],
            ),
            ("(cd app && npm install express)", &["npm:express"]),
            ("result=$(pip install x 2>&1)", &["pypi:x"]),
            ("echo `pip install y`", &["pypi:y"]),
            ("PIP_NO_CACHE_DIR=1 pip install x", &["pypi:x"]),
            ("sudo pip install x", &["pypi:x"]),
            ("sudo -H pip3 install x", &["pypi:x"]),
            ("sudo -u app -E env PATH=$PATH pip install x", &["pypi:x"]),
            ("env -u HOME X=1 npm i y", &["npm:y"]),
            ("exec pip install x", &["pypi:x"]),
            ("time pip install x", &["pypi:x"]),
            ("nohup npm install x &", &["npm:x"]),
            ("timeout 300 pip install x", &["pypi:x"]),
            ("timeout -k 5 300 pip install x", &["pypi:x"]),
            ("xargs -n1 pip install < list.txt", &[]),
            ("cat pkgs | xargs pip install extra", &["pypi:extra"]),
            (
                "if ! pip install x; then pip install y; fi",
                &["pypi:x", "pypi:y"],
            ),
            ("for p in a b; do pip install \"$p\"; done", &[]),
            ("{ pip install x; }", &["pypi:x"]),
            ("bash -c \"pip install x && npm i y\"", &["pypi:x", "npm:y"]),
            ("sh -c 'pip install \"$PKG\" z'", &["pypi:z"]),
            ("pip install x # then pip install y", &["pypi:x"]),
            ("# pip install commented-out", &[]),
            (
                "pip install \\\n    requests \\\n    numpy",
                &["pypi:requests", "pypi:numpy"],
            ),
            ("pip install \\\r\n  requests", &["pypi:requests"]),
            ("pip install x >/dev/null 2>&1", &["pypi:x"]),
            ("pip install x 2> err.log", &["pypi:x"]),
            ("pip install $(cat requirements.txt)", &[]),
            ("$PYTHON -m pip install x", &["pypi:x"]),
            ("\"$PYTHON\" -m pip install x", &["pypi:x"]),
            ("$(PYTHON) -m pip install x", &["pypi:x"]),
            ("${PIP} install x", &["pypi:x"]),
            ("$(VENV)/bin/pip install x", &["pypi:x"]),
            ("$(which python3) -m pip install x", &["pypi:x"]),
            ("$CC -o x x.c", &[]),
            ("pip install re\\\nquests", &["pypi:requests"]),
        ],
    );
}

#[test]
fn prefixes_of_other_file_kinds() {
    table(
        Mode::Script,
        &[
            ("RUN pip install --no-cache-dir flask", &["pypi:flask"]),
            (
                "RUN --mount=type=cache,target=/root/.cache pip install x",
                &["pypi:x"],
            ),
            (
                "RUN [\"pip\", \"install\", \"gunicorn==21.2\"]",
                &["pypi:gunicorn ==21.2"],
            ),
            (
                "CMD [\"npx\", \"serve\", \"-s\", \"build\"]",
                &["npm:serve"],
            ),
            ("RUN [\"/bin/sh\", \"-c\", \"pip install x\"]", &["pypi:x"]),
            ("ONBUILD RUN pip install x", &["pypi:x"]),
            ("\t@pip install x", &["pypi:x"]),
            ("\t-pip install x", &["pypi:x"]),
            ("\t$(PIP) install -e .", &["pypi!path:."]),
            ("      run: pip install ruff", &["pypi:ruff"]),
            (
                "  - run: npm ci && npx playwright install",
                &["npm:playwright"],
            ),
            ("  - pip install tox", &["pypi:tox"]),
            ("script: pip install x", &["pypi:x"]),
            ("  - \"pip install -U setuptools\"", &["pypi:setuptools"]),
            (
                "    \"postinstall\": \"npm install husky\",",
                &["npm:husky"],
            ),
            ("commands = pip install pytest", &["pypi:pytest"]),
            ("!pip install transformers", &["pypi:transformers"]),
            ("%pip install -q datasets", &["pypi:datasets"]),
            (
                "!{sys.executable} -m pip install seaborn",
                &["pypi:seaborn"],
            ),
            ("%conda install numpy", &["-!conda:numpy"]),
            ("$ pip install httpx", &["pypi:httpx"]),
            ("> npm i zod", &["npm:zod"]),
            ("(venv) $ pip install x", &["pypi:x"]),
            ("user@host:~$ pip install x", &["pypi:x"]),
            ("PS> pip install x", &["pypi:x"]),
            ("C:\\> pip install x", &["pypi:x"]),
            ("PS C:\\Users\\me> pip install x", &["pypi:x"]),
            (
                "curl -sSL https://install.python-poetry.org | python3 -",
                &[],
            ),
            ("apt-get install -y python3-pip nodejs npm", &[]),
            ("1. pip install x", &["pypi:x"]),
            (
                "subprocess.check_call([sys.executable, \"-m\", \"pip\", \"install\", \"requests\"])",
                &["pypi:requests"],
            ),
            ("subprocess.run(['npm', 'install', name])", &[]),
            ("os.system(\"pip install x\")", &["pypi:x"]),
            ("- name: Install pip packages", &[]),
        ],
    );
}

#[test]
fn prose_answers() {
    table(
        Mode::Prose,
        &[
            ("Run `pip install reqeusts` first.", &["pypi:reqeusts"]),
            // A noun phrase, not a command (black's FAQ).
            (
                "you can try passing `--no-binary black` to your pip install invocation.",
                &[],
            ),
            ("Then the npm install step fails.", &[]),
            (
                "You can install it with pip install fastapi-users-db then configure it.",
                &["pypi:fastapi-users-db"],
            ),
            (
                "Install with pip install requests, then import it.",
                &["pypi:requests"],
            ),
            ("Use npm i -D vitest and run it.", &["npm:vitest +dev"]),
            (
                "First, `npm install express body-parser`.",
                &["npm:express", "npm:body-parser"],
            ),
            (
                "Then run npx create-react-app my-app to scaffold",
                &["npm:create-react-app"],
            ),
            ("Just do yarn add axios.", &["npm:axios"]),
            (
                "pip install \"fastapi[all]\" is all you need",
                &["pypi:fastapi"],
            ),
            (
                "Try `python -m pip install -U pip` if it fails.",
                &["pypi:pip"],
            ),
            ("# pip install x", &["pypi:x"]),
            ("install the requirements with pip", &[]),
            ("Use pip to install packages.", &[]),
            ("pip install the package you need", &[]),
            ("Then pip install <package-name>.", &[]),
            ("npm install", &[]),
            ("Use npm or yarn to install dependencies", &[]),
            ("Run npm run build", &[]),
            ("With Python 3.11 and pip install you get", &[]),
            ("The pip installer is fine", &[]),
            ("python script.py and pip install tqdm", &["pypi:tqdm"]),
            ("conda install -c conda-forge numpy", &["-!conda:numpy"]),
            ("uvx ruff check .", &["pypi:ruff"]),
            (
                "**pip install langchain-openai**",
                &["pypi:langchain-openai"],
            ),
            (
                "“pip install torchvision” should work",
                &["pypi:torchvision"],
            ),
            (
                "pip install numpy>=1.26 pandas==2.2.0.",
                &["pypi:numpy >=1.26", "pypi:pandas ==2.2.0"],
            ),
            ("pip install foo=1.0", &["pypi:foo =1.0"]),
            ("`pip install -r requirements.txt`", &[]),
            ("npm create vite@latest my-app", &["npm:create-vite latest"]),
            ("$ pip install x && npm i y", &["pypi:x", "npm:y"]),
        ],
    );
}

#[test]
fn conda_mentions_have_no_registry_ecosystem() {
    let out = scan(Mode::Script, "conda install -c conda-forge numpy");
    let Some(Found {
        mention: Mention::NotRegistry {
            ecosystem, what, ..
        },
        ..
    }) = out.found.first()
    else {
        panic!("{:?}", out.found)
    };
    assert_eq!(
        (*ecosystem, what),
        (None, &NotRegistry::OtherRegistry("conda".into()))
    );
    let cmds = parse_argv(&["conda", "install", "-c", "conda-forge", "numpy"]);
    assert_eq!((cmds[0].tool, cmds[0].ecosystem), (Tool::Conda, None));
    assert_eq!(cmds[0].indexes[0].text, "conda-forge");
}

#[test]
fn comments_depend_on_the_mode() {
    assert!(script("# pip install x").is_empty());
    assert_eq!(prose("# pip install x"), ["pypi:x"]);
}

#[test]
fn warnings_name_the_line() {
    let text = "set -e\npip install 'foo*bar' ok\n";
    let out = scan(Mode::Script, text);
    assert_eq!(
        out.found.iter().map(render).collect::<Vec<_>>(),
        ["pypi:ok"]
    );
    assert_eq!(out.diagnostics.len(), 1);
    let d = &out.diagnostics[0];
    assert_eq!((d.line, d.severity), (Some(2), Severity::Warning));
    assert!(d.message.contains("foo*bar"), "{}", d.message);
    // In prose the same word is just not a package.
    assert!(scan(Mode::Prose, text).diagnostics.is_empty());
}

#[test]
fn argv_entry_point_shares_the_grammar() {
    let argv = [
        "sudo",
        "-H",
        "python3",
        "-m",
        "pip",
        "install",
        "-r",
        "requirements.txt",
        "-rdev.txt",
        "--constraint",
        "c.txt",
        "--index-url",
        "https://pypi.example/simple",
        "requests>=2",
        "-e",
        ".",
    ];
    let cmds = parse_argv(&argv);
    assert_eq!(cmds.len(), 1);
    let c = &cmds[0];
    assert_eq!(
        (c.tool, c.action, c.program),
        (Tool::Pip, Action::Install, 4)
    );
    let files: Vec<_> = c
        .requirement_files
        .iter()
        .map(|f| (f.arg, f.range.clone(), f.text.as_str()))
        .collect();
    assert_eq!(
        files,
        [(7, 0..16, "requirements.txt"), (8, 2..9, "dev.txt")]
    );
    assert_eq!(c.constraint_files[0].text, "c.txt");
    assert_eq!(c.indexes[0].text, "https://pypi.example/simple");
    assert_eq!(c.packages.len(), 2);
    assert_eq!((c.packages[0].arg, c.packages[0].range.clone()), (13, 0..8));
    assert_eq!(c.packages[0].version.as_deref(), Some(">=2"));
    assert!(matches!(
        &c.packages[1].mention,
        Mention::NotRegistry {
            what: NotRegistry::LocalPath,
            ..
        }
    ));

    let pkgs = packages_in_argv(&["npm", "i", "-g", "@scope/cli@2"]);
    assert_eq!(pkgs.len(), 1);
    assert_eq!((pkgs[0].arg, pkgs[0].range.clone()), (3, 0..10));
    assert!(parse_argv(&["npm", "i", "-g", "x"])[0].global);

    let two = parse_argv(&["uv", "run", "--with", "rich", "pip", "install", "x"]);
    assert_eq!(
        two.iter().map(|c| c.packages.len()).collect::<Vec<_>>(),
        [1, 1]
    );
    assert!(parse_argv(&["ls", "-la"]).is_empty());
    assert!(parse_argv(&[]).is_empty());
    // No shell here: `$X` is a literal argument.
    assert_eq!(packages_in_argv(&["pip", "install", "a$b"]).len(), 0);
}

#[test]
fn requirement_files_are_returned() {
    let code = Code::file(
        "Dockerfile".into(),
        "RUN pip install -r requirements/base.txt \\\n  -c constraints.txt x\n",
    );
    let mut out = Output::default();
    let files = find_with(&code, Mode::Script, &mut out);
    let got: Vec<_> = files
        .iter()
        .map(|f| (f.path.as_str(), f.role, f.location.line))
        .collect();
    assert_eq!(
        got,
        [
            ("requirements/base.txt", FileRole::Requirements, 1),
            ("constraints.txt", FileRole::Constraints, 2)
        ]
    );
}

const DOCKERFILE: &str = r#"# syntax=docker/dockerfile:1
FROM python:3.12-slim AS base

ENV PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --upgrade pip setuptools wheel && \
    pip install -r requirements.txt && \
    # gunicorn is pinned for the health check
    pip install "gunicorn==21.2.0" \
        uvicorn[standard] \
        'psycopg[binary]>=3.1'

RUN --mount=type=cache,target=/root/.cache/pip \
    python -m pip install --index-url https://download.pytorch.org/whl/cpu torch==2.2.0

FROM node:20 AS web
RUN npm install -g pnpm@8.15.0 && pnpm add -D vite
RUN ["npx", "--yes", "tailwindcss@3", "-i", "in.css"]
CMD ["gunicorn", "app:app"]
"#;

#[test]
fn realistic_dockerfile() {
    let got = script(DOCKERFILE);
    assert_eq!(
        got,
        [
            "pypi:pip",
            "pypi:setuptools",
            "pypi:wheel",
            "pypi:gunicorn ==21.2.0",
            "pypi:uvicorn",
            "pypi:psycopg >=3.1",
            "pypi:torch ==2.2.0",
            "npm:pnpm 8.15.0",
            "npm:vite +dev",
            "npm:tailwindcss 3",
        ]
    );
    let out = scan(Mode::Script, DOCKERFILE);
    let uvicorn = out
        .found
        .iter()
        .find(|f| render(f) == "pypi:uvicorn")
        .unwrap();
    assert_eq!((uvicorn.location.line, uvicorn.location.column), (17, 9));
}

const WORKFLOW: &str = r#"name: CI
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ["3.10", "3.11", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
      - name: Install dependencies
        run: |
          python -m pip install --upgrade pip
          pip install -e ".[test]" pytest-cov
          pip install ${{ matrix.extra }}
      - run: pip install tox tox-gh-actions
      - name: Lint
        run: uvx ruff@0.4.4 check .
      - uses: actions/setup-node@v4
      - run: npm ci
      - run: npx --yes playwright@1.44 install --with-deps
"#;

#[test]
fn realistic_github_workflow() {
    assert_eq!(
        script(WORKFLOW),
        [
            "pypi:pip",
            "pypi!path:.[test]",
            "pypi:pytest-cov",
            "pypi:tox",
            "pypi:tox-gh-actions",
            "pypi:ruff 0.4.4",
            "npm:playwright 1.44",
        ]
    );
}

const MAKEFILE: &str = "VENV := .venv\nPYTHON := $(VENV)/bin/python\n\n.PHONY: install dev\ninstall: $(VENV)\n\t$(PYTHON) -m pip install -r requirements.txt\n\t@$(VENV)/bin/pip install -e .\n\ndev: install\n\t$(PYTHON) -m pip install black==24.2.0 \\\n\t\tisort mypy\n\t-npm install --no-save prettier\n\nclean:\n\trm -rf $(VENV) # pip install nothing\n";

#[test]
fn realistic_makefile() {
    assert_eq!(
        script(MAKEFILE),
        [
            "pypi!path:.",
            "pypi:black ==24.2.0",
            "pypi:isort",
            "pypi:mypy",
            "npm:prettier"
        ]
    );
}

const README: &str = r#"# fastapi-users-db-sqlmodel

## Installation

```bash
pip install fastapi-users-db-sqlmodel
# or, with the extras
pip install 'fastapi-users-db-sqlmodel[async]'
```

For the frontend, `npm install @fastapi-users/client` and then
`yarn add -D @types/react`.

> **Note** Never run `pip install -r requirements.txt` as root.
"#;

#[test]
fn realistic_readme() {
    // A Markdown finder hands code blocks to the script reading and the rest to the prose
    // reading; read whole as prose, both kinds of line are found.
    assert_eq!(
        prose(README),
        [
            "pypi:fastapi-users-db-sqlmodel",
            "pypi:fastapi-users-db-sqlmodel",
            "npm:@fastapi-users/client",
            "npm:@types/react +dev",
        ]
    );
    let block_start = README.find("pip install").unwrap();
    let block_end = README.find("```\n\nFor").unwrap();
    let code = Code::file("README.md".into(), README).sub(block_start, block_end - block_start);
    let mut out = Output::default();
    find_in_script(&code, &mut out);
    let got: Vec<_> = out
        .found
        .iter()
        .map(|f| (render(f), f.location.line, f.location.column))
        .collect();
    assert_eq!(
        got,
        [
            ("pypi:fastapi-users-db-sqlmodel".to_string(), 6, 13),
            ("pypi:fastapi-users-db-sqlmodel".to_string(), 8, 14),
        ]
    );
}

const CHAT_ANSWER: &str = "To read the PDF you'll want `pypdf` (not PyPDF2, which is deprecated). \
Install it with pip install pypdf, then also pip install pdfminer-six-extended for layout \
analysis.\n\nIf you're on Node instead, run `npm i pdf-parse-plus` and use it like:\n\n\
```js\nconst pdf = require('pdf-parse-plus');\n```\n\nYou can also try npx pdf-cli-tools to \
test from the shell. Don't pip install anything globally!\n";

#[test]
fn realistic_chat_answer() {
    assert_eq!(
        prose(CHAT_ANSWER),
        [
            "pypi:pypdf",
            "pypi:pdfminer-six-extended",
            "npm:pdf-parse-plus",
            "npm:pdf-cli-tools"
        ]
    );
}

#[test]
fn malformed_inputs_do_not_break_the_scan() {
    for text in [
        "",
        "pip",
        "pip install '",
        "pip install \"unterminated\npip install next",
        "RUN [",
        "RUN [\"pip\", \"install\"",
        "[[[[[[[[[[",
        "$($($($($($($($($($($(pip install x",
        "\"\"\"\"\"\"\"\"\"\"\"",
        "npm i @",
        "npm i @/",
        "npm i @a/",
        "pip install é",
        "pip install ==",
        "pip install [extra]",
        "pip install \u{0}\u{1}",
        "npm create @",
        "yarn workspace",
        "python -m",
        "sudo -u",
        "timeout",
        "\\",
        "pip install \\",
        "cmd /c",
        "npx -p",
        "uvx --from",
        // Found by fuzzing: pep508_rs panics on these requirement texts.
        "pythoC:\\thoC:\\> pip install xs[riPt.> pip install xs[riPt.py ip install p inst",
        "pip install 'fastapi-users-db- x' 'a[b_]'",
    ] {
        let _ = scan(Mode::Script, text);
        let _ = scan(Mode::Prose, text);
        let words: Vec<&str> = text.split_whitespace().collect();
        let _ = parse_argv(&words);
    }
    let deep = format!("{}pip install x{}", "\"$(".repeat(40), ")\"".repeat(40));
    let out = scan(Mode::Script, &deep);
    assert!(out.found.is_empty() || out.found.iter().all(|f| render(f) == "pypi:x"));
}

/// A deterministic stand-in for fuzzing that runs with the tests: random edits of
/// realistic inputs must never panic, and every span must stay inside the text.
#[test]
fn randomized_edits_never_panic() {
    let seeds = [DOCKERFILE, WORKFLOW, MAKEFILE, README, CHAT_ANSWER];
    let alphabet: &[&str] = &[
        "\"",
        "'",
        "\\",
        "\n",
        "$(",
        ")",
        "`",
        "[",
        "]",
        "{",
        "}",
        " ",
        "#",
        "@",
        "=",
        ";",
        "&&",
        "|",
        "pip install ",
        "npm i ",
        "-r",
        "--",
        "é",
        "\r\n",
        ",",
        "<",
        ">",
        "npx ",
        "create ",
        "$",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..3000 {
        let mut s = seeds[round % seeds.len()].to_string();
        for _ in 0..(next() % 8 + 1) {
            let mut at = (next() as usize) % (s.len() + 1);
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            if next() % 3 == 0 {
                let mut end = (at + (next() as usize) % 16).min(s.len());
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                s.replace_range(at..end, "");
            } else {
                s.insert_str(at, alphabet[(next() as usize) % alphabet.len()]);
            }
        }
        for mode in [Mode::Script, Mode::Prose] {
            let code = Code::file("f".into(), &s);
            let mut out = Output::default();
            find_with(&code, mode, &mut out);
            for f in &out.found {
                let (a, b) = (f.location.start as usize, f.location.end as usize);
                assert!(
                    a <= b && b <= s.len() && s.is_char_boundary(a) && s.is_char_boundary(b),
                    "{s:?}"
                );
            }
        }
    }
}
