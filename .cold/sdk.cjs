require("@aws-sdk/client-dynamodb");require("@aws-sdk/lib-dynamodb")
