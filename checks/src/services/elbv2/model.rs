//! The ELBv2 part of the inventory: the Application, Network and Gateway Load Balancers of
//! a region, with their listeners and attributes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An Elastic Load Balancing v2 load balancer of one region.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub name: String,
    pub arn: Option<String>,
    /// The DNS name clients resolve.
    pub dns_name: Option<String>,
    /// `application`, `network` or `gateway`.
    pub lb_type: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    /// The listeners. `None`: could not be read.
    pub listeners: Option<Vec<LbListener>>,
    /// The load balancer's attributes (`deletion_protection.enabled`...); an attribute
    /// AWS leaves out is at its default (off). `None`: could not be read.
    pub attributes: Option<BTreeMap<String, String>>,
}

/// One listener of a load balancer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LbListener {
    pub port: Option<i32>,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`, `GENEVE`.
    pub protocol: String,
    /// The TLS security policy of an HTTPS or TLS listener.
    pub ssl_policy: Option<String>,
    /// Whether a default action redirects to HTTPS.
    pub redirects_to_https: bool,
}
