/* A plain HTTP/1.1 GET for tests, on a raw socket: what a browser or Prometheus sends. */
#ifndef JX_TEST_HTTP_H
#define JX_TEST_HTTP_H

/*
 * GETs path from the host and port of url (http://127.0.0.1:PORT, any path ignored) with
 * Connection: close. Returns the status; *head (if not NULL) gets the status line and
 * headers, *body (if not NULL) the body, both malloc'd. Fails the test when the server
 * does not answer within 10 s or answers something that is not HTTP/1.1.
 */
int http_get(const char *url, const char *path, char **head, char **body);

#endif
