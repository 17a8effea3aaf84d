# No Authorization header: the server calls Bigin with the access token of its refresh token.
curl -s "${URL:-http://localhost:4000/graphql}" -H 'content-type: application/json' \
  -d '{"query":"{ record(module: Contacts, id: \"2034020000000100001\") { module id attachments { nodes { id fileName } } } }"}'
