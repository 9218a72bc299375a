//! Serves an axum application on a TCP listener, HTTP/1.1 and HTTP/2, with what
//! `axum::serve` leaves out: a limit on how long a client may take to send a request's
//! headers (without it, a client that sends one byte a minute holds a connection, and its
//! task, for ever), the client's address in every request (`ConnectInfo`), and a
//! graceful shutdown that waits a bounded time for requests in flight.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

/// Per-connection limits.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// Longest a client may take to send the headers of a request, counted from when
    /// the server starts reading them; the connection is closed past it.
    pub header_read_timeout: Duration,
    /// Longest the server waits for requests in flight once told to stop.
    pub drain: Duration,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            header_read_timeout: Duration::from_secs(10),
            drain: Duration::from_secs(10),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight
/// finish (for at most `limits.drain`). Each request carries the client's address as
/// `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) if transient(&e) => {
                    // Out of file descriptors or a connection reset before it was
                    // accepted: wait a little rather than spin, as axum does.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                Err(e) => return Err(e),
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut()
                .insert(ConnectInfo::<std::net::SocketAddr>(remote));
            let mut app = app.clone();
            async move { tower_service::Service::call(&mut app, req).await }
        });
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A connection's errors (a client gone, headers too slow) are the client's.
            let _ = conn.await;
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.drain) => {}
    }
    Ok(())
}

/// Errors of `accept` after which the listener still works.
fn transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock
    ) || e.raw_os_error().is_some_and(|c| c == 23 || c == 24) // ENFILE, EMFILE
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::net::SocketAddr;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn start(limits: ConnLimits) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route(
            "/who",
            get(|ConnectInfo(c): ConnectInfo<SocketAddr>| async move { c.ip().to_string() }),
        );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve(listener, app, limits, async {
            let _ = rx.await;
        }));
        (addr, tx)
    }

    async fn who(addr: SocketAddr) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /who HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn answers_with_the_client_address() {
        let (addr, _stop) = start(ConnLimits::default()).await;
        let out = who(addr).await;
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
        assert!(out.ends_with("127.0.0.1"), "{out}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_too_slow_with_its_headers_is_cut_off() {
        let limits = ConnLimits {
            header_read_timeout: Duration::from_millis(300),
            ..ConnLimits::default()
        };
        let (addr, _stop) = start(limits).await;
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        // Half a request line, then nothing: the server must close the connection.
        s.write_all(b"GET /who HT").await.unwrap();
        let mut buf = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf)).await;
        assert!(
            closed.is_ok(),
            "the connection was still open after 20 s of a half-sent request"
        );
        // Another client is served meanwhile and after.
        let out = who(addr).await;
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stops_when_told() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(
            listener,
            Router::new(),
            ConnLimits::default(),
            async {
                let _ = rx.await;
            },
        ));
        tx.send(()).unwrap();
        let done = tokio::time::timeout(Duration::from_secs(20), server).await;
        assert!(matches!(done, Ok(Ok(Ok(())))), "{done:?}");
    }
}
