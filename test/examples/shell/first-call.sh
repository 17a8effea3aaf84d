# A record's attachments, with your Zoho access token (TOKEN) and one of your record ids (RECORD).
curl -s "${URL:-http://localhost:4000/graphql}" \
  -H 'content-type: application/json' \
  -H "authorization: Zoho-oauthtoken $TOKEN" \
  -d '{"query":"query ($id: ID!) { record(module: Contacts, id: $id) { module id attachments { nodes { id fileName } } } }","variables":{"id":"'"$RECORD"'"}}'
