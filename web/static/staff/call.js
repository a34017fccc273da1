/* The staff pages' one way to call the server: JSON back, or an Error with the server's message. */
window.staffCall = function (url, options) {
  "use strict";
  return fetch(url, options).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (!response.ok) throw new Error(body.error || "The request failed (" + response.status + ").");
      return body;
    });
  });
};
