import { describe, expect, it } from "vitest";
import { queryString } from "../../src/bigin/client.js";

describe("queryString", () => {
  it("is empty without values", () => {
    expect(queryString(undefined)).toBe("");
    expect(queryString({})).toBe("");
    expect(queryString({ page: undefined })).toBe("");
  });

  it("joins the defined values, keeping commas of field lists and encoding the rest", () => {
    expect(
      queryString({
        fields: "File_Name,Size,id",
        page: 2,
        per_page: undefined,
        token: "a b&c=d/é",
      }),
    ).toBe("?fields=File_Name,Size,id&page=2&token=a+b%26c%3Dd%2F%C3%A9");
  });
});
