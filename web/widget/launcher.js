console.log("launcher placeholder");
